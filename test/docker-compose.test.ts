import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import forge from 'node-forge';
import { SERVICE_ENVIRONMENT } from '../common/env.js';
import { SERVICE_TLS_ENVIRONMENT, serverTlsFromEnvironment, SUBGRAPH_TLS_ENVIRONMENT } from '../common/tls.js';
import { REPO_ROOT, SUPERGRAPH_PATH } from '../common/subgraphs.js';
import { readGatewayConfig } from '../gateway/config.js';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.js';
import { SERVER_TOPOLOGY } from '../demo/demo-topology.js';
import { parseProvinceConfig } from '../subgraphs/province/config.js';
import { dialectOf } from '../common/db/dialects.js';
import { resolveMapping } from '../subgraphs/province/db/mapping.js';
import { TEST_KEYS } from './helpers.js';

// No Docker engine runs here, so the deployment file is checked statically against the code.
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, unknown>;
  healthcheck?: { test: string[] };
  restart?: string;
  secrets?: string[];
  volumes?: string[];
}
const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;
const entries = Object.entries(services);
const ofKind = (entry: string) => entries.filter(([, s]) => s.command?.includes(entry));
const gatewayArgs = (s: Service) => s.command!.slice(s.command!.indexOf('dist/gateway/main.js') + 1);
// What each kind of service reads: common/env.ts plus the TLS variables of common/tls.ts.
const reads = {
  gateway: [...SERVICE_ENVIRONMENT.gateway, ...SUBGRAPH_TLS_ENVIRONMENT] as string[],
  directory: [...SERVICE_ENVIRONMENT.directory, ...SERVICE_TLS_ENVIRONMENT] as string[],
  province: [...SERVICE_ENVIRONMENT.province, ...SERVICE_TLS_ENVIRONMENT] as string[],
  sharing: [...SERVICE_ENVIRONMENT.sharing, ...SERVICE_TLS_ENVIRONMENT, ...SUBGRAPH_TLS_ENVIRONMENT] as string[],
};

/** One self-signed certificate and key: enough for the readers' checks (PEM, key matches certificate, not expired). */
function selfSigned(): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  cert.setSubject([{ name: 'commonName', value: 'compose test' }]);
  cert.setIssuer(cert.subject.attributes);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}
const TLS = selfSigned();

/**
 * A service's environment as its container would see it: compose's ${VAR:?…} placeholders
 * filled, and each /run/secrets/NAME file (which must be a declared secret the service
 * mounts) replaced by a file holding this run's test keys.
 */
function withSecrets(s: Service): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'xietong-secrets-'));
  const contents: Record<string, string> = {
    'token-public': TEST_KEYS.tokenPublicKey,
    'assertion-private': TEST_KEYS.assertionPrivateKey,
    'assertion-public': TEST_KEYS.assertionPublicKey,
    'workflow-private': TEST_KEYS.workflowPrivateKey,
    'workflow-public': TEST_KEYS.workflowPublicKey,
  };
  const env: NodeJS.ProcessEnv = {};
  for (const [key, raw] of Object.entries(s.environment ?? {})) {
    const value = String(raw).replace(/\$\{(\w+):[-?][^}]*\}/g, (_, name: string) => (name === 'XIETONG_ADMIN_TOKEN' ? 'x'.repeat(32) : `test-${name.toLowerCase()}`));
    const secret = /^\/run\/secrets\/(.+)$/.exec(value)?.[1];
    if (secret) {
      expect([key, s.secrets ?? []]).toEqual([key, expect.arrayContaining([secret])]);
      expect(compose.secrets[secret]).toBeDefined();
      writeFileSync(join(dir, secret), contents[secret] ?? (secret.endsWith('-key') ? TLS.key : TLS.cert));
      env[key] = join(dir, secret);
    } else env[key] = value;
  }
  return env;
}

describe('docker-compose.yml', () => {
  it('parses; every service has an image or a build, a restart policy and a health check', () => {
    expect(entries.length).toBeGreaterThan(10);
    for (const [name, s] of entries) {
      expect([name, Boolean(s.image || s.build)]).toEqual([name, true]);
      expect([name, s.restart]).toEqual([name, 'unless-stopped']);
      expect([name, Array.isArray(s.healthcheck?.test)]).toEqual([name, true]);
      for (const dep of Object.keys(s.depends_on ?? {})) expect([name, dep, dep in services]).toEqual([name, dep, true]);
    }
  });

  it('runs entry points that the build produces, and the Dockerfile builds them', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/npm run build && npm run compose/);
    // The gateway serves the dashboard's page and styles from dashboard/ (its script is in dist/).
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dashboard dashboard/);
    for (const [, s] of entries.filter(([, s]) => s.build)) {
      const script = s.command!.find((c) => c.startsWith('dist/'))!;
      expect(existsSync(join(REPO_ROOT, script))).toBe(true);
    }
  });

  it('runs every gateway with the Node.js flags gateway/node-flags.ts gives: the Dockerfile, compose, and the npm scripts', () => {
    const withFlags = ['node', ...GATEWAY_NODE_FLAGS];
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
    expect(cmd.slice(0, withFlags.length + 1)).toEqual([...withFlags, 'dist/gateway/main.js']);
    const gateways = ofKind('dist/gateway/main.js');
    expect(gateways.length).toBeGreaterThan(0);
    for (const [name, s] of gateways) expect([name, s.command!.slice(0, withFlags.length + 1)]).toEqual([name, [...withFlags, 'dist/gateway/main.js']]);
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    // Every script that hosts a gateway in its process.
    for (const name of ['start', 'start:servers', 'gateway', 'load:fair-use']) expect([name, scripts[name].includes(`${withFlags.join(' ')} dist/`)]).toEqual([name, true]);
  });

  it('sets only environment variables the services read', () => {
    for (const [name, s] of ofKind('dist/gateway/main.js')) expect([name, Object.keys(s.environment!).filter((k) => !reads.gateway.includes(k))]).toEqual([name, []]);
    for (const [name, s] of ofKind('dist/subgraphs/province/main.js')) expect([name, Object.keys(s.environment!).filter((k) => !reads.province.includes(k))]).toEqual([name, []]);
    for (const [name, s] of ofKind('dist/subgraphs/directory/main.js')) expect([name, Object.keys(s.environment!).filter((k) => !reads.directory.includes(k))]).toEqual([name, []]);
  });

  it('has two gateway replicas sharing one Redis, configured by a file the gateway accepts', () => {
    const gateways = ofKind('dist/gateway/main.js');
    expect(gateways).toHaveLength(2);
    const redisUrls = new Set(gateways.map(([, s]) => s.environment!.XIETONG_REDIS_URL));
    expect(redisUrls.size).toBe(1);
    expect(services[new URL([...redisUrls][0]).hostname].image).toMatch(/^redis:/);
    for (const [, s] of gateways) {
      const args = gatewayArgs(s);
      const env = withSecrets(s);
      const config = readGatewayConfig([...args.map((a) => (a === 'schema/supergraph.graphql' ? SUPERGRAPH_PATH : a.startsWith('deploy/') ? join(REPO_ROOT, a) : a))], env);
      expect(config.auth.assertionPrivateKey).toBe(TEST_KEYS.assertionPrivateKey);
      expect(config.port).toBe(Number(s.environment!.PORT));
      expect(s.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${s.environment!.PORT}/health`);
      // Every province and subgraph URL names a service of this file, on the port that service listens on.
      for (const url of [...config.provinces.map((p) => p.url), ...Object.values(config.subgraphUrls)]) {
        const u = new URL(url);
        expect([url, u.hostname in services]).toEqual([url, true]);
        expect([url, services[u.hostname].environment!.PORT]).toEqual([url, u.port]);
      }
      expect(config.provinces.map((p) => p.code).sort()).toEqual(Object.keys(SERVER_TOPOLOGY).sort());
    }
  });

  it('runs each province over its own database server of the kind the topology says', () => {
    const provinces = ofKind('dist/subgraphs/province/main.js');
    expect(provinces.map(([, s]) => s.environment!.XIETONG_PROVINCE).sort()).toEqual(Object.keys(SERVER_TOPOLOGY).sort());
    const dbHosts = new Set<string>();
    for (const [name, s] of provinces) {
      const env = s.environment!;
      expect(name).toBe(`province-${env.XIETONG_PROVINCE}`);
      expect(s.healthcheck!.test.join(' ')).toContain(`host:'127.0.0.1',port:${env.PORT},`);
      const url = env.XIETONG_DATABASE_URL.replace(/\$\{(\w+):[^}]*\}/g, 'secret');
      const mounted = withSecrets(s);
      const config = parseProvinceConfig({
        provinces: [env.XIETONG_PROVINCE],
        database: url,
        port: Number(env.PORT),
        assertionPublicKey: readFileSync(mounted.XIETONG_ASSERTION_PUBLIC_KEY_FILE!, 'utf8'),
        tls: serverTlsFromEnvironment(mounted),
      });
      expect([name, dialectOf(config.database)]).toEqual([name, SERVER_TOPOLOGY[env.XIETONG_PROVINCE]]);
      if (env.XIETONG_MAPPING_FILE) expect(() => resolveMapping(JSON.parse(readFileSync(join(REPO_ROOT, env.XIETONG_MAPPING_FILE), 'utf8')))).not.toThrow();
      if (url.startsWith('sqlite:')) continue;
      const u = new URL(url);
      const db = services[u.hostname];
      expect(dbHosts.has(u.hostname)).toBe(false);
      dbHosts.add(u.hostname);
      expect(Object.keys(s.depends_on ?? {})).toContain(u.hostname);
      if (u.protocol === 'postgres:') {
        expect(db.image).toMatch(/^postgres:/);
        expect([db.environment!.POSTGRES_USER, db.environment!.POSTGRES_DB]).toEqual([u.username, u.pathname.slice(1)]);
        expect(u.port).toBe('5432');
      } else {
        expect(db.image).toMatch(/^mariadb:/);
        expect([db.environment!.MARIADB_USER, db.environment!.MARIADB_DATABASE]).toEqual([u.username, u.pathname.slice(1)]);
        expect(u.port).toBe('3306');
      }
    }
  });

  it('calls every subgraph over https, trusting the deployment CA and presenting a client certificate', () => {
    for (const [name, s] of ofKind('dist/gateway/main.js')) {
      const config = readGatewayConfig(
        gatewayArgs(s).map((a) => (a === 'schema/supergraph.graphql' ? SUPERGRAPH_PATH : a.startsWith('deploy/') ? join(REPO_ROOT, a) : a)),
        withSecrets(s),
      );
      expect([name, Boolean(config.tls?.ca && config.tls.cert && config.tls.key)]).toEqual([name, true]);
      for (const url of [...config.provinces.map((p) => p.url), ...Object.values(config.subgraphUrls)]) expect([name, new URL(url).protocol]).toEqual([name, 'https:']);
      expect([name, Object.keys(config.subgraphUrls)]).toEqual([name, expect.arrayContaining(['directory', 'sharing'])]);
      // Production runs with the fair-use budgets on and the per-province timeout it names.
      expect([name, config.rateLimit, config.subgraphTimeoutMs]).toEqual([name, {}, 5000]);
    }
  });

  it('serves every subgraph over HTTPS that admits only clients with a certificate, each service with a key of its own', () => {
    const subgraphs = [...ofKind('dist/subgraphs/directory/main.js'), ...ofKind('dist/subgraphs/sharing/main.js'), ...ofKind('dist/subgraphs/province/main.js')];
    expect(subgraphs).toHaveLength(Object.keys(SERVER_TOPOLOGY).length + 2);
    const keySecrets = new Set<string>();
    for (const [name, s] of subgraphs) {
      expect([name, SERVICE_TLS_ENVIRONMENT.filter((v) => !s.environment![v])]).toEqual([name, []]);
      const tls = serverTlsFromEnvironment(withSecrets(s));
      expect([name, tls?.requestClientCert, Boolean(tls?.ca)]).toEqual([name, true, true]);
      keySecrets.add(s.environment!.XIETONG_TLS_KEY_FILE);
      expect([name, s.healthcheck!.test.join(' ')]).toEqual([name, expect.stringContaining(`port:${s.environment!.PORT},`)]);
    }
    expect(keySecrets.size).toBe(subgraphs.length);
    // Only the gateways hold the client key that opens the subgraphs' ports; the sharing service has its own.
    const clientKeyHolders = entries.filter(([, s]) => s.secrets?.includes('gateway-client-key')).map(([name]) => name);
    expect(clientKeyHolders.sort()).toEqual(
      ofKind('dist/gateway/main.js')
        .map(([name]) => name)
        .sort(),
    );
    expect(entries.filter(([, s]) => s.secrets?.some((x) => x === 'sharing-client-key' || x === 'workflow-private')).map(([name]) => name)).toEqual(['sharing']);
  });

  it('runs the sharing service over PostgreSQL with every province it calls, over https, and every province trusts its key', async () => {
    const [[, sharing]] = ofKind('dist/subgraphs/sharing/main.js');
    const env = sharing.environment!;
    expect(Object.keys(env).filter((k) => !reads.sharing.includes(k))).toEqual([]);
    expect(dialectOf(withSecrets(sharing).XIETONG_SHARING_DATABASE_URL!)).toBe('postgres');
    const called = Object.fromEntries(env.XIETONG_PROVINCES.split(',').map((p) => p.split('=')));
    const provinces = ofKind('dist/subgraphs/province/main.js');
    expect(Object.keys(called).sort()).toEqual(provinces.map(([, s]) => s.environment!.XIETONG_PROVINCE).sort());
    for (const [name, s] of provinces) {
      expect([name, called[s.environment!.XIETONG_PROVINCE]]).toEqual([name, `https://${name}:${s.environment!.PORT}/graphql`]);
      expect([name, s.environment!.XIETONG_WORKFLOW_PUBLIC_KEY_FILE]).toEqual([name, '/run/secrets/workflow-public']);
    }
    const { parseSharingConfig } = await import('../subgraphs/sharing/config.js');
    const e = withSecrets(sharing);
    const config = parseSharingConfig({
      database: e.XIETONG_SHARING_DATABASE_URL,
      provinces: called,
      assertionPublicKey: readFileSync(e.XIETONG_ASSERTION_PUBLIC_KEY_FILE!, 'utf8'),
      workflowPrivateKey: readFileSync(e.XIETONG_WORKFLOW_PRIVATE_KEY_FILE!, 'utf8'),
    });
    expect(Object.keys(config.provinces)).toHaveLength(provinces.length);
  });

  it('Prometheus scrapes every Xietong service at its metrics port; the Grafana dashboard reads only families the code defines', () => {
    const prometheus = parse(readFileSync(join(REPO_ROOT, 'deploy', 'prometheus.yml'), 'utf8')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = new Set(prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((sc) => sc.targets)));
    const node = entries.filter(([, s]) => s.command?.[0] === 'node');
    expect(node.length).toBeGreaterThan(10);
    for (const [name, s] of node) expect([name, targets.has(`${name}:${s.environment!.XIETONG_METRICS_PORT}`)]).toEqual([name, true]);
    expect(targets.size).toBe(node.length);
    for (const mount of services.prometheus.volumes!) expect(existsSync(join(REPO_ROOT, mount.split(':')[0]))).toBe(!mount.startsWith('prometheus-data'));
    const defined = new Set(
      ['common/metrics.ts', 'gateway/observability/metrics.ts'].flatMap((f) =>
        [...readFileSync(join(REPO_ROOT, f), 'utf8').matchAll(/name: '(xietong_[a-z_]+)'/g)].map((m) => m[1]),
      ),
    );
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy', 'grafana', 'xietong.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/(xietong_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1])));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((u) => !defined.has(u))).toEqual([]);
  });
});
