import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { RouteHandler } from '../../common/http.js';
import type { Logger } from '../../common/logger.js';
import { joinProvince, JoinRefused } from '../shard/join.js';
import type { ProvinceRegistry } from '../shard/registry.js';
import type { RegistryStore } from '../shard/registry-store.js';

/** Options of {@link adminRoute}. */
export interface AdminOptions {
  registry: ProvinceRegistry;
  store: RegistryStore;
  contractSdl: string;
  /** Bearer token the province-registration API requires. */
  token: string;
  logger: Logger;
  /** The gateway's SYSTEM assertion for a joining province, presented when it reads the service's SDL. */
  assertionFor: (province: string) => string;
  /** The gateway's connection pools (its TLS trust and client certificate), so a joining province is checked as it will be called. */
  agent: Dispatcher;
}

const send = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

function authorised(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error('body too large');
  }
  return JSON.parse(text);
}

/**
 * The province registry over HTTP: `GET /admin/provinces` lists, `POST /admin/provinces`
 * with `{ code, url }` admits a province after checking its SDL against the contract (a code
 * registered at another URL moves only with `"replace": true`, else 409), and
 * `DELETE /admin/provinces/CODE` removes one. Every call needs the admin bearer token.
 */
export function adminRoute(options: AdminOptions): RouteHandler {
  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (!path.startsWith('/admin/provinces')) return false;
    if (!authorised(req, options.token)) {
      send(res, 401, { error: 'missing or wrong admin token' });
      return true;
    }
    const code = path.slice('/admin/provinces/'.length);
    if (req.method === 'GET' && path === '/admin/provinces') {
      send(res, 200, { provinces: options.registry.list() });
    } else if (req.method === 'POST' && path === '/admin/provinces') {
      let body: { code?: unknown; url?: unknown; replace?: unknown };
      try {
        body = (await readJson(req)) as typeof body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
      } catch {
        send(res, 400, { error: 'body must be JSON { "code": "320000", "url": "http://…/graphql" }' });
        return true;
      }
      try {
        await joinProvince(options.store, { code: String(body.code ?? ''), url: String(body.url ?? '') }, options.contractSdl, {
          assertion: options.assertionFor(String(body.code ?? '')),
          dispatcher: options.agent,
          registered: options.registry.list(),
          replace: body.replace === true,
        });
        options.logger.info({ code: body.code, url: body.url }, 'province joined');
        send(res, 200, { registered: { code: body.code, url: body.url } });
      } catch (error) {
        if (!(error instanceof JoinRefused)) {
          options.logger.error({ err: error }, 'registry store failed');
          send(res, 503, { error: 'the shared registry is unavailable; try again', code: 'REGISTRY_UNAVAILABLE' });
          return true;
        }
        options.logger.info({ code: body.code, url: body.url, reason: error.message }, 'province refused');
        send(res, error.code === 'ALREADY_REGISTERED' ? 409 : 400, { error: error.message, code: error.code, problems: error.problems });
      }
    } else if (req.method === 'DELETE' && /^\d{6}$/.test(code)) {
      try {
        await options.store.unregister(code);
      } catch (error) {
        options.logger.error({ err: error }, 'registry store failed');
        send(res, 503, { error: 'the shared registry is unavailable; try again', code: 'REGISTRY_UNAVAILABLE' });
        return true;
      }
      options.logger.info({ code }, 'province left');
      send(res, 200, { removed: code });
    } else {
      send(res, 404, { error: 'not found' });
    }
    return true;
  };
}
