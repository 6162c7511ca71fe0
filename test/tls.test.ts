import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import forge from 'node-forge';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { parse } from 'yaml';
import { ASSERTION_HEADER, provinceAudience, signAssertion } from '../common/auth/assertion.js';
import { SYSTEM } from '../common/auth/principal.js';
import type { RunningService } from '../common/http.js';
import { REPO_ROOT, SUPERGRAPH_PATH } from '../common/subgraphs.js';
import { serverTlsFromEnvironment, type ServerTls } from '../common/tls.js';
import { readGatewayConfig } from '../gateway/config.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { fetchServiceSdl } from '../gateway/shard/join.js';
import { postGraphQL, subgraphAgent } from '../common/post-graphql.js';
import { devAuth } from '../demo/demo-stack.js';
import { startDirectory } from '../subgraphs/directory/server.js';
import { parseProvinceConfig } from '../subgraphs/province/config.js';
import { openProvinceDatabase } from '../subgraphs/province/db/database.js';
import { generateProvince, TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { seedProvince } from '../subgraphs/province/seed/seed.js';
import { startProvince, type ProvinceService } from '../subgraphs/province/server.js';
import { authConfigFiles, gql, NATIONAL_ADMIN, TEST_KEYS } from './helpers.js';

// ---- A small PKI of the test's own (node-forge signs; Node's crypto makes the keys) ----

interface Issued {
  cert: string;
  key: string;
}
interface Authority extends Issued {
  issue(commonName: string, usage: 'server' | 'client', altNames?: string[]): Issued;
}

let serial = 1;
function certificate(
  commonName: string,
  options: { issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }; ca?: boolean; usage?: 'server' | 'client'; altNames?: string[] },
) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const forgeKey = forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: Boolean(options.ca), critical: true },
    options.ca ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    ...(options.usage ? [{ name: 'extKeyUsage', serverAuth: options.usage === 'server', clientAuth: options.usage === 'client' }] : []),
    // type 7 is an IP address, type 2 a DNS name.
    ...(options.altNames ? [{ name: 'subjectAltName', altNames: options.altNames.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) }] : []),
  ]);
  cert.sign(options.issuer?.key ?? forgeKey, forge.md.sha256.create());
  return { cert, forgeKey, pem: { cert: forge.pki.certificateToPem(cert), key } };
}

function authority(commonName: string): Authority {
  const root = certificate(commonName, { ca: true });
  return {
    ...root.pem,
    issue: (cn, usage, altNames) => certificate(cn, { issuer: { cert: root.cert, key: root.forgeKey }, usage, altNames }).pem,
  };
}

const LOCAL = ['127.0.0.1', 'localhost'];
const ca = authority('Xietong test CA');
const rogueCa = authority('Rogue CA');
const serverCert = ca.issue('localhost', 'server', LOCAL);
const gatewayCert = ca.issue('xietong-gateway', 'client');
const rogueServerCert = rogueCa.issue('localhost', 'server', LOCAL);
const rogueClientCert = rogueCa.issue('someone', 'client');
/** A listener that admits only clients whose certificate the test CA signed. */
const mutual = (server: Issued): ServerTls => ({ ...server, ca: ca.cert, requestClientCert: true });
const gatewayTls = { ca: ca.cert, cert: gatewayCert.cert, key: gatewayCert.key };

const dir = mkdtempSync(join(tmpdir(), 'xietong-tls-'));
/** Writes a file of this run and returns its path. */
const file = (name: string, text: string, mode = 0o600) => {
  writeFileSync(join(dir, name), text, { mode });
  return join(dir, name);
};

/** What a direct TLS client sees: the HTTP status, or the error code of a refused connection. */
function directCall(url: string, tls: { ca?: string; cert?: string; key?: string }, headers: Record<string, string> = {}): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpsRequest(url, { method: 'POST', ...tls, agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode! }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(JSON.stringify({ query: '{ __typename }' }));
  });
}

// ---- Services over HTTPS ----

let jiangsu: ProvinceService;
let rogueZhejiang: ProvinceService;
let directory: RunningService;
let rogueDirectory: RunningService;
let gateway: RunningGateway;
let gatewayToRogueDirectory: RunningGateway;

async function seededProvince(code: string, tls: ServerTls): Promise<ProvinceService> {
  const pdb = await openProvinceDatabase('sqlite::memory:', undefined, { init: true });
  await seedProvince(pdb, generateProvince(code, TEST_SCALE));
  const service = await startProvince({ provinces: [code], database: 'sqlite::memory:', assertionPublicKey: TEST_KEYS.assertionPublicKey, tls }, pdb);
  const stop = service.stop;
  return Object.assign(service, {
    async stop() {
      await stop();
      await pdb.close();
    },
  });
}

beforeAll(async () => {
  jiangsu = await seededProvince('320000', mutual(serverCert));
  // Its certificate comes from another CA; it still asks for the gateway's client certificate.
  rogueZhejiang = await seededProvince('330000', mutual(rogueServerCert));
  directory = await startDirectory({ port: 0, assertionPublicKey: TEST_KEYS.assertionPublicKey, tls: mutual(serverCert) });
  rogueDirectory = await startDirectory({ port: 0, assertionPublicKey: TEST_KEYS.assertionPublicKey, tls: mutual(rogueServerCert) });
  const base = { supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'), port: 0, auth: devAuth(TEST_KEYS), tls: gatewayTls };
  gateway = await startGateway({
    ...base,
    subgraphUrls: { directory: directory.url },
    provinces: [
      { code: '320000', url: jiangsu.url },
      { code: '330000', url: rogueZhejiang.url },
    ],
  });
  gatewayToRogueDirectory = await startGateway({ ...base, subgraphUrls: { directory: rogueDirectory.url }, provinces: [{ code: '320000', url: jiangsu.url }] });
});

afterAll(async () => {
  await gateway?.stop();
  await gatewayToRogueDirectory?.stop();
  await jiangsu?.stop();
  await rogueZhejiang?.stop();
  await directory?.stop();
  await rogueDirectory?.stop();
});

describe('gateway to subgraphs over mutual TLS', () => {
  it('serves the subgraphs on https:// URLs', () => {
    for (const service of [jiangsu, rogueZhejiang, directory, rogueDirectory]) expect(service.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
  });

  it('answers a query through the gateway from a province and the directory', async () => {
    const result = await gql(gateway.url, '{ regions { code } assets(filter: { province: "320000" }) { totalCount } }');
    expect(result.errors).toBeUndefined();
    expect(result.data!.regions.map((r: { code: string }) => r.code)).toContain('YRD');
    expect(result.data!.assets.totalCount).toBeGreaterThan(0);
  });

  it('refuses a province whose certificate another CA signed: PROVINCE_UNAVAILABLE, no TLS detail for the client', async () => {
    const result = await gql(gateway.url, '{ assets(filter: { province: "330000" }) { totalCount } }');
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'PROVINCE_UNAVAILABLE', province: '330000' });
    const text = JSON.stringify(result);
    for (const leak of ['certificate', 'CERT', 'verify', 'TLS', 'SSL', String(new URL(rogueZhejiang.url).port), 'https:'])
      expect([leak, text.includes(leak)]).toEqual([leak, false]);
  });

  it('still answers the other provinces of a region when one is refused', async () => {
    const result = await gql(gateway.url, '{ assets(filter: { region: "YRD" }) { totalCount } }');
    expect(result.errors!.map((e) => [e.extensions!.code, e.extensions!.province])).toEqual([['PROVINCE_UNAVAILABLE', '330000']]);
    expect(result.data!.assets.totalCount).toBeGreaterThan(0);
  });

  it('refuses a subgraph whose certificate another CA signed: SUBGRAPH_UNAVAILABLE', async () => {
    const result = await gql(gatewayToRogueDirectory.url, '{ regions { code } }');
    expect(result.errors![0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'directory' });
    expect(JSON.stringify(result)).not.toMatch(/certificate|https:|UNABLE_TO_VERIFY/i);
  });

  it('is refused for its certificate alone: trusting the other CA reaches the same listener', async () => {
    const agent = new Agent({ connect: { ca: rogueCa.cert, cert: gatewayCert.cert, key: gatewayCert.key } });
    try {
      const response = await request(rogueZhejiang.url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      await response.body.text();
      expect(response.statusCode).toBe(401);
    } finally {
      await agent.close();
    }
  });

  it('logs why the call failed, for the operator', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const agent = subgraphAgent(gatewayTls, logger);
    try {
      const result = await postGraphQL(rogueZhejiang.url, { query: '{ __typename }' }, { agent, timeoutMs: 3000 });
      expect(result).toEqual({ failure: 'could not be reached' });
      expect(lines.join('\n')).toMatch(/subgraph call failed.*UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_VERIFY_LEAF_SIGNATURE.*subgraph call failed/);
    } finally {
      await agent.close();
    }
  });
});

describe('a client connecting to a subgraph directly', () => {
  const assertion = () => signAssertion(NATIONAL_ADMIN, TEST_KEYS.assertionPrivateKey, provinceAudience('320000'));

  it('is refused in the TLS handshake without a client certificate', async () => {
    const outcome = await directCall(jiangsu.url, { ca: ca.cert }, { [ASSERTION_HEADER]: assertion() });
    expect(outcome).toEqual({ error: expect.stringMatching(/CERTIFICATE_REQUIRED/) });
  });

  it('is refused with a client certificate that another CA signed', async () => {
    const outcome = await directCall(jiangsu.url, { ca: ca.cert, ...rogueClientCert }, { [ASSERTION_HEADER]: assertion() });
    expect(outcome).toEqual({ error: expect.stringMatching(/ALERT|ECONNRESET/) });
  });

  it('gets through with the gateway-CA client certificate (and still needs an assertion)', async () => {
    expect(await directCall(jiangsu.url, { ca: ca.cert, ...gatewayCert }, { [ASSERTION_HEADER]: assertion() })).toEqual({ status: 200 });
    expect(await directCall(jiangsu.url, { ca: ca.cert, ...gatewayCert })).toEqual({ status: 401 });
  });

  it('cannot trust the subgraph from the system CA store', async () => {
    expect(await directCall(jiangsu.url, { ...gatewayCert })).toEqual({ error: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });
});

describe('a province joining', () => {
  it('is read with the gateway agent: its SDL when its certificate is trusted, refused when another CA signed it', async () => {
    const agent = subgraphAgent(gatewayTls);
    try {
      const system = (code: string) => signAssertion(SYSTEM, TEST_KEYS.assertionPrivateKey, provinceAudience(code));
      expect(await fetchServiceSdl(jiangsu.url, 3000, system('320000'), agent)).toContain('type Query');
      await expect(fetchServiceSdl(rogueZhejiang.url, 3000, system('330000'), agent)).rejects.toThrow(/the TLS certificate of .* was not accepted/);
      // Without the agent, neither the CA nor the client certificate is there.
      await expect(fetchServiceSdl(jiangsu.url, 3000, system('320000'))).rejects.toThrow(/the TLS certificate of .* was not accepted/);
    } finally {
      await agent.close();
    }
  });
});

describe('the compose health check of a TLS service', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { healthcheck: { test: string[] } }> };
  const script = compose.services['province-320000'].healthcheck.test.at(-1)!;
  const run = (port: number) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['-e', script.replace('port:4100,', `port:${port},`)], {
        env: { ...process.env, XIETONG_TLS_CA_FILE: file('health-ca.pem', ca.cert) },
        stdio: 'ignore',
      });
      child.once('exit', resolve);
    });

  it('passes on a live listener that requires client certificates, and fails on a certificate of another CA', async () => {
    expect(script).toContain('port:4100,');
    expect(await run(Number(new URL(jiangsu.url).port))).toBe(0);
    expect(await run(Number(new URL(rogueZhejiang.url).port))).toBe(1);
  });
});

describe('TLS configuration, checked at start-up', () => {
  const notPem = file('not.pem', 'hello\n');
  const caFile = file('ca.pem', ca.cert);
  const certFile = file('server.pem', serverCert.cert);
  const keyFile = file('server.key', serverCert.key);
  const clientCertFile = file('client.pem', gatewayCert.cert);
  const clientKeyFile = file('client.key', gatewayCert.key);
  const missing = join(dir, 'missing.pem');

  it('builds a service listener from XIETONG_TLS_*', () => {
    expect(serverTlsFromEnvironment({})).toBeUndefined();
    const tls = serverTlsFromEnvironment({ XIETONG_TLS_CERT_FILE: certFile, XIETONG_TLS_KEY_FILE: keyFile, XIETONG_TLS_CA_FILE: caFile, XIETONG_TLS_CLIENT_CA_FILE: caFile })!;
    expect(tls).toEqual({ cert: `${serverCert.cert.trimEnd()}\n${ca.cert}`, key: serverCert.key, ca: ca.cert, requestClientCert: true });
    expect(serverTlsFromEnvironment({ XIETONG_TLS_CERT_FILE: certFile, XIETONG_TLS_KEY_FILE: keyFile })).toEqual({ cert: serverCert.cert, key: serverCert.key });
  });

  it.each([
    ['an unreadable certificate file', { XIETONG_TLS_CERT_FILE: missing, XIETONG_TLS_KEY_FILE: keyFile }, `XIETONG_TLS_CERT_FILE: cannot read ${missing} (ENOENT)`],
    ['a certificate file that is not PEM', { XIETONG_TLS_CERT_FILE: notPem, XIETONG_TLS_KEY_FILE: keyFile }, `XIETONG_TLS_CERT_FILE: ${notPem} is not PEM`],
    ['a key file that is not PEM', { XIETONG_TLS_CERT_FILE: certFile, XIETONG_TLS_KEY_FILE: notPem }, `XIETONG_TLS_KEY_FILE: ${notPem} is not a PEM private key`],
    ['a certificate where the key belongs', { XIETONG_TLS_CERT_FILE: certFile, XIETONG_TLS_KEY_FILE: caFile }, `XIETONG_TLS_KEY_FILE: ${caFile} is not a PEM private key`],
    [
      'a client CA file that is not PEM',
      { XIETONG_TLS_CERT_FILE: certFile, XIETONG_TLS_KEY_FILE: keyFile, XIETONG_TLS_CLIENT_CA_FILE: notPem },
      `XIETONG_TLS_CLIENT_CA_FILE: ${notPem} is not PEM`,
    ],
    [
      'a chain file holding a key',
      { XIETONG_TLS_CERT_FILE: certFile, XIETONG_TLS_KEY_FILE: keyFile, XIETONG_TLS_CA_FILE: keyFile },
      `XIETONG_TLS_CA_FILE: ${keyFile} holds a PRIVATE KEY block where certificates were expected`,
    ],
    [
      'a key of another certificate',
      { XIETONG_TLS_CERT_FILE: certFile, XIETONG_TLS_KEY_FILE: clientKeyFile },
      'XIETONG_TLS_CERT_FILE / XIETONG_TLS_KEY_FILE: the private key does not belong to the certificate',
    ],
    ['a certificate without a key', { XIETONG_TLS_CERT_FILE: certFile }, 'XIETONG_TLS_CERT_FILE is set without the key file'],
    ['a client CA without TLS', { XIETONG_TLS_CLIENT_CA_FILE: caFile }, 'XIETONG_TLS_CLIENT_CA_FILE is set, but TLS is off'],
  ])('refuses %s', (_, env, message) => {
    expect(() => serverTlsFromEnvironment(env)).toThrow(message);
  });

  it('refuses an expired certificate', () => {
    const old = certificate('localhost', { usage: 'server' });
    old.cert.validity.notBefore = new Date(Date.now() - 48 * 3_600_000);
    old.cert.validity.notAfter = new Date(Date.now() - 24 * 3_600_000);
    old.cert.sign(old.forgeKey, forge.md.sha256.create());
    const env = { XIETONG_TLS_CERT_FILE: file('old.pem', forge.pki.certificateToPem(old.cert)), XIETONG_TLS_KEY_FILE: file('old.key', old.pem.key) };
    expect(() => serverTlsFromEnvironment(env)).toThrow(/XIETONG_TLS_CERT_FILE \/ XIETONG_TLS_KEY_FILE: the certificate expired on/);
  });

  it('validates the province config file’s tls block (PEM, like assertionPublicKey)', () => {
    const base = { provinces: ['320000'], database: 'sqlite::memory:', assertionPublicKey: TEST_KEYS.assertionPublicKey };
    expect(parseProvinceConfig({ ...base, tls: mutual(serverCert) }).tls).toEqual(mutual(serverCert));
    expect(() => parseProvinceConfig({ ...base, tls: { cert: 'nope', key: serverCert.key } })).toThrow(/- tls\.cert: the value is not PEM/);
    expect(() => parseProvinceConfig({ ...base, tls: { ...serverCert, requestClientCert: true } })).toThrow(/- tls\.ca: requestClientCert needs ca/);
    expect(() => parseProvinceConfig({ ...base, tls: { cert: serverCert.cert, key: gatewayCert.key } })).toThrow(/- tls\.key: the private key does not belong to the certificate/);
    expect(() => parseProvinceConfig({ ...base, tls: { ...serverCert, caFile: 'x' } })).toThrow(/tls/);
  });

  describe('of the gateway', () => {
    let auth: Record<string, unknown>;
    const supergraph = ['--supergraph', SUPERGRAPH_PATH];
    const withConfig = (config: Record<string, unknown>) => ['--config', file(`gateway-${serial++}.json`, JSON.stringify({ auth, ...config }))];
    const https = { provinces: [{ code: '320000', url: 'https://province-320000:4100/graphql' }], subgraphUrls: { directory: 'https://directory:4001/graphql' } };
    beforeAll(async () => {
      auth = await authConfigFiles();
    });

    it('reads XIETONG_SUBGRAPH_* or the tls block of the config file', () => {
      const env = { XIETONG_SUBGRAPH_CA_FILE: caFile, XIETONG_SUBGRAPH_CLIENT_CERT_FILE: clientCertFile, XIETONG_SUBGRAPH_CLIENT_KEY_FILE: clientKeyFile };
      expect(readGatewayConfig([...supergraph, ...withConfig(https)], env).tls).toEqual(gatewayTls);
      expect(readGatewayConfig([...supergraph, ...withConfig({ ...https, tls: { caFile } })], {}).tls).toEqual({ ca: ca.cert });
      expect(readGatewayConfig([...supergraph, ...withConfig(https)], {}).tls).toBeUndefined();
    });

    it.each([
      ['an unreadable CA file', { XIETONG_SUBGRAPH_CA_FILE: missing }, {}, `XIETONG_SUBGRAPH_CA_FILE: cannot read ${missing}`],
      ['a CA file that is not PEM', { XIETONG_SUBGRAPH_CA_FILE: notPem }, {}, `XIETONG_SUBGRAPH_CA_FILE: ${notPem} is not PEM`],
      [
        'a client key file that is not PEM',
        { XIETONG_SUBGRAPH_CA_FILE: caFile, XIETONG_SUBGRAPH_CLIENT_CERT_FILE: clientCertFile, XIETONG_SUBGRAPH_CLIENT_KEY_FILE: notPem },
        {},
        `XIETONG_SUBGRAPH_CLIENT_KEY_FILE: ${notPem} is not a PEM private key`,
      ],
      [
        'a client certificate without its key',
        { XIETONG_SUBGRAPH_CA_FILE: caFile, XIETONG_SUBGRAPH_CLIENT_CERT_FILE: clientCertFile },
        {},
        'XIETONG_SUBGRAPH_CLIENT_CERT_FILE is set without the client key file',
      ],
      [
        'a client certificate without a CA',
        { XIETONG_SUBGRAPH_CLIENT_CERT_FILE: clientCertFile, XIETONG_SUBGRAPH_CLIENT_KEY_FILE: clientKeyFile },
        {},
        'XIETONG_SUBGRAPH_CLIENT_CERT_FILE is set without the CA file',
      ],
      [
        'a client key of another certificate',
        { XIETONG_SUBGRAPH_CA_FILE: caFile, XIETONG_SUBGRAPH_CLIENT_CERT_FILE: clientCertFile, XIETONG_SUBGRAPH_CLIENT_KEY_FILE: keyFile },
        {},
        'the private key does not belong to the certificate',
      ],
      ['a config-file CA that is not PEM', {}, { tls: { caFile: notPem } }, `tls.caFile: ${notPem} is not PEM`],
      ['a config-file client certificate without its key', {}, { tls: { caFile, clientCertFile } }, '- tls: give clientCertFile and clientKeyFile together'],
      ['an unknown key in the tls block', {}, { tls: { caFile, trustSystemStore: true } }, '- tls: Unrecognized key'],
      [
        'a plain http:// URL while TLS is on',
        { XIETONG_SUBGRAPH_CA_FILE: caFile },
        { provinces: [{ code: '320000', url: 'http://province-320000:4100/graphql' }] },
        'every subgraph URL must be https://; these are not:\n- provinces.0.url (320000): http://province-320000:4100/graphql',
      ],
    ])('refuses %s', (_, env, config, message) => {
      expect(() => readGatewayConfig([...supergraph, ...withConfig({ ...https, ...config })], env)).toThrow(message);
    });
  });

  it('stops a service entry point with exit code 2 and a message naming the variable', async () => {
    const publicKey = file('assertion-public.pem', TEST_KEYS.assertionPublicKey);
    const start = (entry: string, env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [join(REPO_ROOT, entry)], {
          env: { ...process.env, PORT: '0', HOST: '127.0.0.1', XIETONG_ASSERTION_PUBLIC_KEY_FILE: publicKey, ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr!.on('data', (d) => (stderr += d));
        // A process that wrongly starts is stopped rather than left running.
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
    const province = await start('dist/subgraphs/province/main.js', {
      XIETONG_PROVINCE: '320000',
      XIETONG_DATABASE_URL: 'sqlite::memory:',
      XIETONG_TLS_CERT_FILE: certFile,
      XIETONG_TLS_KEY_FILE: notPem,
    });
    expect(province).toEqual({ code: 2, stderr: expect.stringContaining(`xietong province: XIETONG_TLS_KEY_FILE: ${notPem} is not a PEM private key`) });
    const directoryProcess = await start('dist/subgraphs/directory/main.js', { XIETONG_TLS_CERT_FILE: missing, XIETONG_TLS_KEY_FILE: keyFile });
    expect(directoryProcess).toEqual({ code: 2, stderr: expect.stringContaining(`xietong directory: XIETONG_TLS_CERT_FILE: cannot read ${missing}`) });
  });
});
