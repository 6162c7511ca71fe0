/**
 * TLS material of the services and the gateway: PEM files read and checked once at start-up, so a
 * missing, unreadable or wrong file stops the process with a message naming the variable (or
 * config key) that pointed at it, instead of failing every handshake later.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';

/** A service's HTTPS listener (PEM); with `ca` and `requestClientCert`, clients must present a certificate signed by `ca`. */
export interface ServerTls {
  key: string;
  /** The service's certificate, optionally followed by the certificates that complete its chain. */
  cert: string;
  ca?: string;
  requestClientCert?: boolean;
}

/** The gateway toward subgraphs (PEM): only `ca` is trusted (not the system store); `cert` and `key` are presented for mutual TLS. */
export interface ClientTls {
  ca: string;
  cert?: string;
  key?: string;
}

/** Environment variables of a service's listener. */
export const SERVICE_TLS_ENVIRONMENT = ['XIETONG_TLS_CERT_FILE', 'XIETONG_TLS_KEY_FILE', 'XIETONG_TLS_CA_FILE', 'XIETONG_TLS_CLIENT_CA_FILE'] as const;

/** Environment variables of the gateway's calls to subgraphs. */
export const SUBGRAPH_TLS_ENVIRONMENT = ['XIETONG_SUBGRAPH_CA_FILE', 'XIETONG_SUBGRAPH_CLIENT_CERT_FILE', 'XIETONG_SUBGRAPH_CLIENT_KEY_FILE'] as const;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** Why `pem` is not one or more PEM certificates, or undefined when it is. */
export function certificateProblem(pem: string): string | undefined {
  const blocks = [...pem.matchAll(BLOCK)];
  if (blocks.length === 0) return 'is not PEM (no -----BEGIN CERTIFICATE----- block)';
  for (const [block, label] of blocks) {
    if (label !== 'CERTIFICATE') return `holds a ${label} block where certificates were expected`;
    try {
      new X509Certificate(block);
    } catch {
      return 'holds a CERTIFICATE block that does not parse';
    }
  }
  return undefined;
}

/** Why `pem` is not an unencrypted PEM private key, or undefined when it is. */
export function privateKeyProblem(pem: string): string | undefined {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return 'is not a PEM private key (no -----BEGIN … PRIVATE KEY----- block)';
  if (pem.includes('ENCRYPTED')) return 'is an encrypted private key; give it unencrypted (protect the file instead)';
  try {
    createPrivateKey(pem);
  } catch {
    return 'holds a PRIVATE KEY block that does not parse';
  }
  return undefined;
}

/** Why a certificate (the first of `certPem`) and a private key do not belong together or cannot be used now, or undefined. */
export function pairProblem(certPem: string, keyPem: string, now = new Date()): string | undefined {
  const cert = new X509Certificate(certPem.match(BLOCK)![0]);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'the private key does not belong to the certificate';
  if (new Date(cert.validTo) < now) return `the certificate expired on ${cert.validTo}`;
  if (new Date(cert.validFrom) > now) return `the certificate is not valid before ${cert.validFrom}`;
  return undefined;
}

/** Reads a PEM file that `name` (a variable or config key) points at, refusing one that cannot be read or is not of its kind. */
export function readPemFile(file: string, name: string, kind: 'certificate' | 'private key'): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const problem = kind === 'certificate' ? certificateProblem(pem) : privateKeyProblem(pem);
  if (problem) throw new Error(`${name}: ${file} ${problem}`);
  return pem;
}

/** Files of a service's listener, each with the name that messages use for it. */
export interface ServerTlsFiles {
  cert?: { file: string; name: string };
  key?: { file: string; name: string };
  /** Certificates completing the chain of `cert`. */
  ca?: { file: string; name: string };
  /** The CA that must sign every client's certificate. */
  clientCa?: { file: string; name: string };
}

/** Reads and checks a service's listener files; undefined when none is given (plain HTTP). */
export function readServerTls(files: ServerTlsFiles): ServerTls | undefined {
  const { cert, key, ca, clientCa } = files;
  if (!cert && !key) {
    const stray = ca ?? clientCa;
    if (stray) throw new Error(`${stray.name} is set, but TLS is off: set the certificate and key files too`);
    return undefined;
  }
  if (!cert || !key) throw new Error(`${(cert ?? key)!.name} is set without ${cert ? 'the key file' : 'the certificate file'}: give both or neither`);
  const certPem = readPemFile(cert.file, cert.name, 'certificate');
  const keyPem = readPemFile(key.file, key.name, 'private key');
  const problem = pairProblem(certPem, keyPem);
  if (problem) throw new Error(`${cert.name} / ${key.name}: ${problem}`);
  // Node sends what `cert` holds as the chain; `ca` on a server is the client-certificate trust.
  const chain = ca ? readPemFile(ca.file, ca.name, 'certificate') : '';
  return {
    cert: chain ? `${certPem.trimEnd()}\n${chain}` : certPem,
    key: keyPem,
    ...(clientCa ? { ca: readPemFile(clientCa.file, clientCa.name, 'certificate'), requestClientCert: true } : {}),
  };
}

/** A service's listener from XIETONG_TLS_CERT_FILE, _KEY_FILE, _CA_FILE and _CLIENT_CA_FILE; undefined when unset. */
export function serverTlsFromEnvironment(env: NodeJS.ProcessEnv = process.env): ServerTls | undefined {
  const from = (name: string) => (env[name] ? { file: env[name]!, name } : undefined);
  return readServerTls({ cert: from('XIETONG_TLS_CERT_FILE'), key: from('XIETONG_TLS_KEY_FILE'), ca: from('XIETONG_TLS_CA_FILE'), clientCa: from('XIETONG_TLS_CLIENT_CA_FILE') });
}

/** Files of the gateway's calls to subgraphs, each with the name that messages use for it. */
export interface ClientTlsFiles {
  ca?: { file: string; name: string };
  cert?: { file: string; name: string };
  key?: { file: string; name: string };
}

/** Reads and checks the gateway's subgraph trust and client certificate; undefined when none is given (system CAs, no client certificate). */
export function readClientTls(files: ClientTlsFiles): ClientTls | undefined {
  const { ca, cert, key } = files;
  if (!ca && !cert && !key) return undefined;
  if (!ca) throw new Error(`${(cert ?? key)!.name} is set without the CA file that subgraph certificates are verified against`);
  if (Boolean(cert) !== Boolean(key))
    throw new Error(`${(cert ?? key)!.name} is set without ${cert ? 'the client key file' : 'the client certificate file'}: give both or neither`);
  const caPem = readPemFile(ca.file, ca.name, 'certificate');
  if (!cert || !key) return { ca: caPem };
  const certPem = readPemFile(cert.file, cert.name, 'certificate');
  const keyPem = readPemFile(key.file, key.name, 'private key');
  const problem = pairProblem(certPem, keyPem);
  if (problem) throw new Error(`${cert.name} / ${key.name}: ${problem}`);
  return { ca: caPem, cert: certPem, key: keyPem };
}

/** The gateway's subgraph TLS files from XIETONG_SUBGRAPH_CA_FILE, _CLIENT_CERT_FILE and _CLIENT_KEY_FILE. */
export function subgraphTlsFilesFromEnvironment(env: NodeJS.ProcessEnv = process.env): ClientTlsFiles {
  const from = (name: string) => (env[name] ? { file: env[name]!, name } : undefined);
  return { ca: from('XIETONG_SUBGRAPH_CA_FILE'), cert: from('XIETONG_SUBGRAPH_CLIENT_CERT_FILE'), key: from('XIETONG_SUBGRAPH_CLIENT_KEY_FILE') };
}
