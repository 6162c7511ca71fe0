import { ErrorCode } from '../../common/errors.js';
import { ASSERTION_HEADER } from '../../common/auth/assertion.js';
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

/**
 * Fetches a service's federation SDL (`_service { sdl }`). Redirects are not followed (the
 * assertion is for the URL given, and a redirect could point the gateway anywhere); failures are
 * reported by kind only, never with the remote's text.
 */
export async function fetchServiceSdl(url: string, timeoutMs: number, assertion?: string, dispatcher?: import('undici').Dispatcher): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(assertion ? { [ASSERTION_HEADER]: assertion } : {}) },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
      // The gateway's agent: a joining province is verified with the same CA and client certificate as every later call.
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (error) {
    throw new Error((error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'the service could not be reached');
  }
  if (response.status >= 300 && response.status < 400) throw new Error(`the service answered with a redirect (HTTP ${response.status}), which is not followed`);
  const body = (await response.json().catch(() => undefined)) as { data?: { _service?: { sdl?: string } } } | undefined;
  const sdl = body?.data?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error(`the service did not return _service { sdl } (HTTP ${response.status})`);
  return sdl;
}

/**
 * Admits a province instance: the code must be a GB/T 2260 province, the service must answer
 * and its SDL must implement the contract. Only then is it registered, and routed to from the
 * next request on.
 */
export async function joinProvince(
  store: RegistryStore,
  endpoint: ProvinceEndpoint,
  contractSdl: string,
  options: { assertion?: string; timeoutMs?: number; dispatcher?: import('undici').Dispatcher } = {},
): Promise<void> {
  if (!findProvince(endpoint.code)) throw new JoinRefused(`${endpoint.code} is not a GB/T 2260 provincial code`, [], ErrorCode.UNKNOWN_PROVINCE);
  try {
    const url = new URL(endpoint.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new JoinRefused(`"${endpoint.url}" is not an http(s) URL`, []);
  }
  let sdl: string;
  try {
    sdl = await fetchServiceSdl(endpoint.url, options.timeoutMs ?? 5000, options.assertion, options.dispatcher);
  } catch (error) {
    throw new JoinRefused(`province ${endpoint.code} at ${endpoint.url} did not answer with its SDL: ${(error as Error).message}`, [], ErrorCode.PROVINCE_UNAVAILABLE);
  }
  const problems = checkContract(contractSdl, sdl);
  if (problems.length) throw new JoinRefused(`province ${endpoint.code} does not implement the contract`, problems);
  await store.register(endpoint);
}
