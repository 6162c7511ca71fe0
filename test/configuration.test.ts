import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, SUPERGRAPH_PATH } from '../common/subgraphs.js';
import { readGatewayConfig } from '../gateway/config.js';
import { parseProvinceConfig } from '../subgraphs/province/config.js';
import { authConfigFiles, TEST_KEYS } from './helpers.js';

/** Every service refuses configuration it does not understand, naming the key, instead of dropping it. */
const dir = mkdtempSync(join(tmpdir(), 'xietong-config-'));
let serial = 0;

describe('gateway configuration', () => {
  let auth: Record<string, unknown>;
  const read = (config: Record<string, unknown>) => {
    const file = join(dir, `gateway-${serial++}.json`);
    writeFileSync(file, JSON.stringify({ auth, ...config }));
    return readGatewayConfig(['--supergraph', SUPERGRAPH_PATH, '--config', file], {});
  };
  beforeAll(async () => {
    auth = await authConfigFiles();
  });

  it('accepts the shipped deploy/gateway.json keys', () => {
    const shipped = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy', 'gateway.json'), 'utf8')) as Record<string, unknown>;
    // The shipped file names container paths for keys and the manifest; its own keys must all be known.
    const { auth: _auth, persistedOperations: _ops, tls: _tls, auditFile: _audit, ...rest } = shipped;
    expect(read(rest).provinces.length).toBeGreaterThan(0);
  });

  it.each([
    ['an unknown top-level key', { provinceTimeoutMs: 3000 }, /\(root\): Unrecognized key: "provinceTimeoutMs"/],
    ['an unknown key of a province', { provinces: [{ code: '320000', url: 'http://a/graphql', weight: 2 }] }, /provinces\.0: Unrecognized key: "weight"/],
    ['a code that is no province', { provinces: [{ code: '999999', url: 'http://a/graphql' }] }, /provinces\.0\.code: not a GB\/T 2260 provincial code/],
    ['a province URL that is no URL', { provinces: [{ code: '320000', url: 'province-320000' }] }, /provinces\.0\.url/],
    ['an unknown key of the response cache', { responseCache: { ttl: 5 } }, /responseCache: Unrecognized key: "ttl"/],
    ['an unknown key of redis', { redis: { url: 'redis://x', password: 'p' } }, /redis/],
    [
      'a CORS origin with a path',
      { corsOrigins: ['https://dash.example.gov.cn/'] },
      /corsOrigins\.0: https:\/\/dash\.example\.gov\.cn\/ is not an origin: scheme:\/\/host\[:port\], no path or trailing slash/,
    ],
    ['a breakdown threshold below 1', { breakdownMinAgencies: 0 }, /breakdownMinAgencies/],
  ])('refuses %s, naming it', (_, config, message) => {
    expect(() => read(config)).toThrow(message);
  });
});

describe('province configuration', () => {
  const base = { provinces: ['320000'], database: 'sqlite::memory:', assertionPublicKey: TEST_KEYS.assertionPublicKey };

  it('accepts a complete configuration', () => {
    expect(
      parseProvinceConfig({ ...base, mapping: { energy_reports: { table: 'nengyuan', columns: { electricity_kwh: { column: 'dian_wan', scale: 10000 } } } } }).provinces,
    ).toEqual(['320000']);
  });

  it.each([
    ['an unknown top-level key', { ...base, hots: '0.0.0.0' }, /\(root\): Unrecognized key: "hots"/],
    ['an unknown key of a table mapping', { ...base, mapping: { assets: { tabel: 'zc' } } }, /mapping\.assets: Unrecognized key: "tabel"/],
    ['an unknown key of a column mapping', { ...base, mapping: { assets: { columns: { name: { column: 'mc', scael: 2 } } } } }, /mapping\.assets\.columns\.name/],
    ['a code that is no province', { ...base, provinces: ['320001'] }, /provinces\.0: not a GB\/T 2260 provincial code/],
  ])('refuses %s, naming it', (_, config, message) => {
    expect(() => parseProvinceConfig(config)).toThrow(message);
  });
});
