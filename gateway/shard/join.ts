import { ErrorCode } from '../../common/errors.js';
import { ASSERTION_HEADER, ASSERTION_PROTOCOL } from '../../common/auth/assertion.js';
import { findProvince } from '../../common/standards.js';
import { checkContract } from './contract.js';
import type { ProvinceEndpoint } from './registry.js';
import type { RegistryStore } from './registry-store.js';

/** Why a province could not join. */
export class JoinRefused extends Error {
  constructor(
    message: string,
    readonly problems: string[],
    readonly code: string = ErrorCode.BAD_USER_INPUT,
  ) {
    super(message);
  }
}

/** Why a request to a service failed, in words a provincial team can act on (never the remote's text). */
export function reachFailure(error: unknown, url: string, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = e.cause?.code ?? '';
  const { host, port } = new URL(url);
  if (code === 'ECONNREFUSED') return `connection refused at ${host} (is the service running and listening on that port?)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name ${new URL(url).hostname} was not found`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `the connection to ${host} was closed before an answer`;
  if (/CERT|SELF_SIGNED|TLS|SSL|VERIFY/.test(code))
    return `the TLS certificate of ${host} was not accepted (${code}): it must be signed by the CA the gateway trusts, for that host name`;
  if (e.cause?.message === 'bad port') return `port ${port} is one that HTTP clients refuse (a blocked port); serve the province on another port`;
  return `the service could not be reached${code ? ` (${code})` : ''}`;
}

/** Why an HTTP answer without GraphQL came back, for the statuses a misconfiguration gives. */
function statusFailure(status: number): string {
  if (status === 401) return "the service refused the gateway's assertion (HTTP 401): configure it with this gateway's assertion public key";
  if (status === 404) return 'there is no GraphQL endpoint at that URL (HTTP 404); the path is usually /graphql';
  return `the service did not return _service { sdl } (HTTP ${status})`;
}

/**
 * One request of the join to a service: redirects are not followed (the assertion is for the URL
 * given, and a redirect could point the gateway anywhere), failures are reported by kind only,
 * never with the remote's text, and the JSON answer is read up to `limit` bytes. The gateway's
 * agent (`dispatcher`) verifies a joining province with the same CA and client certificate as
 * every later call.
 */
async function requestJson(url: string | URL, init: RequestInit, limit: number, timeoutMs: number, dispatcher?: import('undici').Dispatcher) {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual', ...(dispatcher ? { dispatcher } : {}) });
  } catch (error) {
    throw new Error(reachFailure(error, String(url), timeoutMs));
  }
  if (response.status >= 300 && response.status < 400) throw new Error(`the service answered with a redirect (HTTP ${response.status}), which is not followed`);
  return { status: response.status, body: await readJsonLimited(response, limit) };
}

/** Fetches a service's federation SDL (`_service { sdl }`), presenting the gateway's assertion. */
export async function fetchServiceSdl(url: string, timeoutMs: number, assertion?: string, dispatcher?: import('undici').Dispatcher): Promise<string> {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(assertion ? { [ASSERTION_HEADER]: assertion } : {}) },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  };
  const { status, body } = await requestJson(url, init, MAX_SDL_BYTES, timeoutMs, dispatcher);
  const sdl = (body as { data?: { _service?: { sdl?: unknown } } } | undefined)?.data?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error(statusFailure(status));
  return sdl;
}

/** What an instance says of itself at /health: the provinces it serves and its instance id (new at every start). */
export interface InstanceHealth {
  provinces: string[];
  instance?: string;
  /** What it reads from the gateway's assertions (ASSERTION_PROTOCOL); absent before release 2. */
  protocol?: number;
}

/** The provinces an instance says it serves (its /health), or why it could not say. */
export async function fetchServedProvinces(url: string, timeoutMs: number, dispatcher?: import('undici').Dispatcher): Promise<InstanceHealth> {
  const health = new URL('/health', url);
  const { status, body } = await requestJson(health, {}, MAX_HEALTH_BYTES, timeoutMs, dispatcher);
  const answer = body as { provinces?: unknown; instance?: unknown; protocol?: unknown } | undefined;
  if (!Array.isArray(answer?.provinces)) throw new Error(`${health.pathname} did not list the provinces it serves (HTTP ${status})`);
  return {
    provinces: answer.provinces.map(String),
    ...(typeof answer.instance === 'string' ? { instance: answer.instance } : {}),
    ...(typeof answer.protocol === 'number' ? { protocol: answer.protocol } : {}),
  };
}

/** The largest /health answer read (a real one is under 200 bytes). */
const MAX_HEALTH_BYTES = 64 * 1024;
/** The largest SDL answer read (the contract is about 60 KB). */
const MAX_SDL_BYTES = 4 * 1024 * 1024;

/** A JSON body read up to `limit` bytes: a longer one is refused, never buffered whole; undefined when it is not JSON. */
async function readJsonLimited(response: Response, limit: number): Promise<unknown> {
  if (!response.body) return undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`the answer is larger than ${limit} bytes, which no province sends`);
    }
    chunks.push(value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Two URLs that reach the same instance (same origin and path, whatever the spelling). */
function sameInstance(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)];
  return x.origin === y.origin && x.pathname.replace(/\/$/, '') === y.pathname.replace(/\/$/, '');
}

/**
 * Admits a province instance: the code must be a GB/T 2260 province, registered elsewhere only
 * when `replace` says to move it, the instance must not be registered under another code already
 * (its data would count twice), it must say it serves that province (its /health), and its SDL
 * must implement the contract. Only then is it registered, and routed to from the next request on.
 */
export async function joinProvince(
  store: RegistryStore,
  endpoint: ProvinceEndpoint,
  contractSdl: string,
  options: { assertion?: string; timeoutMs?: number; dispatcher?: import('undici').Dispatcher; registered?: readonly ProvinceEndpoint[]; replace?: boolean } = {},
): Promise<void> {
  if (!findProvince(endpoint.code)) throw new JoinRefused(`${endpoint.code} is not a GB/T 2260 provincial code`, [], ErrorCode.UNKNOWN_PROVINCE);
  try {
    const url = new URL(endpoint.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new JoinRefused(`"${endpoint.url}" is not an http(s) URL`, []);
  }
  const twin = options.registered?.find((e) => e.code !== endpoint.code && sameInstance(e.url, endpoint.url));
  if (twin)
    throw new JoinRefused(
      `the instance at ${endpoint.url} is already registered as province ${twin.code}; one instance cannot stand for two provinces (its data would count twice)`,
      [],
    );
  const timeoutMs = options.timeoutMs ?? 5000;
  // Which provinces it serves comes first (its /health needs no assertion): a wrong code is then named as such.
  let health: InstanceHealth;
  try {
    health = await fetchServedProvinces(endpoint.url, timeoutMs, options.dispatcher);
  } catch (error) {
    throw new JoinRefused(`province ${endpoint.code} at ${endpoint.url} could not say which provinces it serves: ${(error as Error).message}`, [], ErrorCode.PROVINCE_UNAVAILABLE);
  }
  if (!health.provinces.includes(endpoint.code)) {
    throw new JoinRefused(`the instance at ${endpoint.url} serves ${health.provinces.join(', ') || 'no province'}, not ${endpoint.code}; register it under its own code`, []);
  }
  if (health.provinces.length > 1) {
    throw new JoinRefused(`the instance at ${endpoint.url} serves ${health.provinces.join(', ')}; a registered instance serves exactly one province`, []);
  }
  if ((health.protocol ?? 1) < ASSERTION_PROTOCOL) {
    throw new JoinRefused(
      `the instance at ${endpoint.url} runs a release that decides regions from a table of its own (assertion protocol ${health.protocol ?? 1}, this gateway needs ${ASSERTION_PROTOCOL}); upgrade it, or region figures would miss it`,
      [],
    );
  }
  // The same instance under another spelling of its URL (localhost, another path) is still the same instance.
  const others = (options.registered ?? []).filter((e) => e.code !== endpoint.code);
  if (health.instance && others.length) {
    const ids = await Promise.all(
      others.map((e) =>
        fetchServedProvinces(e.url, timeoutMs, options.dispatcher).then(
          (h) => h.instance,
          () => undefined,
        ),
      ),
    );
    const same = others.find((_, i) => ids[i] === health.instance);
    if (same) throw new JoinRefused(`the instance at ${endpoint.url} is the one registered as province ${same.code} (the same instance id); its data would count twice`, []);
  }
  let sdl: string;
  try {
    sdl = await fetchServiceSdl(endpoint.url, timeoutMs, options.assertion, options.dispatcher);
  } catch (error) {
    throw new JoinRefused(`province ${endpoint.code} at ${endpoint.url} did not answer with its SDL: ${(error as Error).message}`, [], ErrorCode.PROVINCE_UNAVAILABLE);
  }
  const problems = checkContract(contractSdl, sdl);
  if (problems.length) throw new JoinRefused(`province ${endpoint.code} does not implement the contract`, problems);
  // Checked last, so a wrong instance is named as such first; a move is never a silent re-point.
  const current = options.registered?.find((e) => e.code === endpoint.code);
  if (current && !sameInstance(current.url, endpoint.url) && !options.replace)
    throw new JoinRefused(`province ${endpoint.code} is already registered at ${current.url}; to move it to ${endpoint.url}, send "replace": true`, [], 'ALREADY_REGISTERED');
  await store.register(endpoint);
}
