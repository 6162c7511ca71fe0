import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoStack } from '../demo/demo-stack.js';
import { TEST_SCALE } from '../subgraphs/province/seed/generator.js';
import { provinceAudience, subgraphAudience } from '../common/auth/assertion.js';
import { authConfigFiles, gql, NATIONAL_ADMIN, post, spawnGateway, startTestStack, tokenFor } from './helpers.js';

// Preloaded into the gateway process: every host it looks up and every TCP connection it opens,
// one line each, whatever library opens it (undici, http, https, ioredis).
const RECORDER = `
import dns from 'node:dns';
import net from 'node:net';
import { appendFileSync } from 'node:fs';
const log = process.env.XIETONG_TEST_OUTBOUND_LOG;
const note = (kind, host) => appendFileSync(log, kind + ' ' + String(host) + '\\n');
const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) { note('lookup', hostname); return lookup.call(this, hostname, ...rest); };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first && typeof first === 'object') note('connect', first.path ?? first.host ?? 'localhost');
  else if (typeof first === 'number' || /^\\d+$/.test(String(first))) note('connect', typeof args[1] === 'string' ? args[1] : 'localhost');
  else note('connect', first);
  return connect.apply(this, args);
};
`;

const LOCAL = new Set(['127.0.0.1', 'localhost', '::1']);

let stack: DemoStack;
beforeAll(async () => {
  stack = await startTestStack(TEST_SCALE, ['310000']);
});
afterAll(() => stack?.stop());

describe('what the gateway process reaches on the network', () => {
  it('only the services it is configured with, from start to stop: no vendor telemetry, no cloud metadata probes, even with an Apollo key in the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xietong-outbound-'));
    const recorder = join(dir, 'recorder.mjs');
    const log = join(dir, 'outbound.log');
    writeFileSync(recorder, RECORDER);
    writeFileSync(log, '');
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        subgraphUrls: { directory: stack.directory.url, sharing: stack.sharing.url },
        provinces: [{ code: '310000', url: stack.provinces.get('310000')!.url }],
        auth: await authConfigFiles(),
      }),
    );
    const gateway = await spawnGateway(config, {
      NODE_OPTIONS: `--import ${recorder}`,
      XIETONG_TEST_OUTBOUND_LOG: log,
      // An operator's shell may hold these for another service; Apollo Server would then report
      // usage (operation text included) and the schema to Apollo's servers on its own.
      APOLLO_KEY: 'service:xietong-test:not-a-real-key',
      APOLLO_GRAPH_REF: 'xietong-test@current',
      APOLLO_SCHEMA_REPORTING: 'true',
    });
    try {
      const answer = await gql(gateway.url, '{ assetSummary { assetCount } }', undefined, { token: tokenFor(NATIONAL_ADMIN) });
      expect(answer.errors).toBeUndefined();
      // Detectors that probe cloud metadata run in the background: give them time to show.
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      // Stopping flushes exporters, which is when a vendor's meter would send.
      await gateway.stop();
    }
    const lines = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
    // The recorder saw the gateway reach its subgraphs: it works, so an empty list below means something.
    expect(lines.some((l) => l.startsWith('connect '))).toBe(true);
    const elsewhere = lines.filter((l) => !LOCAL.has(l.split(' ')[1]));
    expect(elsewhere).toEqual([]);
  });

  it("no service's page makes a browser load a vendor's scripts: Apollo's landing page is off everywhere", async () => {
    const services = { gateway: stack.gateway.url, directory: stack.directory.url, sharing: stack.sharing.url, province: stack.provinces.get('310000')!.url };
    for (const [name, url] of Object.entries(services)) {
      for (const path of ['/', '/graphql']) {
        const res = await fetch(new URL(path, url), { headers: { accept: 'text/html' } });
        const body = await res.text();
        expect({ name, path, vendor: /apollographql\.com|apollo-server-landing-page/i.test(body) }).toEqual({ name, path, vendor: false });
      }
    }
  });

  it('no subgraph answers inline traces (what a gateway would forward to a vendor) to a caller who asks for them', async () => {
    const calls = [
      { name: 'directory', url: stack.directory.url, audience: subgraphAudience('directory'), query: '{ regions { code } }' },
      { name: 'province', url: stack.provinces.get('310000')!.url, audience: provinceAudience('310000'), query: '{ assetSummary { assetCount } }' },
    ];
    for (const { name, url, audience, query } of calls) {
      const res = await post(url, { query }, { token: null, audience }, { 'apollo-federation-include-trace': 'ftv1' });
      const body = (await res.json()) as { data?: unknown; extensions?: Record<string, unknown> };
      expect({ name, answered: body.data != null, ftv1: body.extensions?.ftv1 !== undefined }).toEqual({ name, answered: true, ftv1: false });
    }
  });
});
