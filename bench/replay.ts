/**
 * The benchmark's replay server: it stands in front of the real subgraphs so that the gateway
 * under test, not the subgraphs, is what a run measures.
 *
 * Contract:
 * - every target is a path (`/directory`, `/province/320000`, `/w1/reviews`, …) mapped to a real
 *   upstream URL;
 * - the first request with a given body is forwarded and its answer recorded; every later
 *   request with the same body gets the recorded bytes back, after an optional fixed delay;
 * - a mutation is always forwarded, and when it returns it drops the target's recordings, so
 *   reads after a write see the write (the stale-read checker relies on this). A read that was
 *   in flight across a write is answered but not recorded;
 * - a call whose assertion offers a session is forwarded even when its body was recorded (until
 *   the target answers an offer without opening one), and the session the real service opens
 *   (SESSION_HEADER) is passed on, never recorded;
 * - every request is counted per target, so a run can report subgraph requests per request;
 * - `GET /__stats`, `POST /__reset`, `POST /__delay/<ms>` and `POST /__log/start|stop` let a
 *   harness in another process read and reset the counts, change the delay and log the calls
 *   of one request.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { ASSERTION_HEADER, OFFER_CLAIM, SESSION_HEADER } from '../common/auth/assertion.js';

/** A recorded answer: the upstream's status and bytes. */
interface Recording {
  status: number;
  body: Buffer;
  /** What the real service said of the call's assertion session: passed on, never recorded (a replayed answer says nothing of it). */
  session?: string;
}

/** Options of a replay server. */
export interface ReplayOptions {
  /** Path (e.g. `/province/320000`) to the upstream URL it stands for. */
  targets: Record<string, string>;
  /** Fixed delay before each replayed answer, in ms. */
  delayMs?: number;
  /** Headers added to forwarded requests that lack them (e.g. a gateway assertion for a peer gateway). */
  defaultHeaders?: (target: string) => Record<string, string>;
}

/** Request counts since the last reset. */
export interface ReplayStats {
  requests: number;
  misses: number;
  byTarget: Record<string, number>;
}

/** A running replay server. */
export interface ReplayServer {
  url: string;
  stats(): ReplayStats;
  reset(): void;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** True when a GraphQL request body's operation is a mutation. */
export function isMutation(body: string): boolean {
  try {
    const query = (JSON.parse(body) as { query?: unknown }).query;
    return typeof query === 'string' && /^\s*mutation\b/.test(query);
  } catch {
    return false;
  }
}

/** Whether a call's assertion offers the gateway's agreement key (common/auth/assertion.ts). */
function offersSession(req: IncomingMessage): boolean {
  const token = req.headers[ASSERTION_HEADER];
  return typeof token === 'string' && jwt.decode(token, { json: true })?.[OFFER_CLAIM] !== undefined;
}

// Data events rather than the stream's async iterator: the replay server shares a CPU with the
// load generator, and at wide fan-out its own per-request cost sits on the gateway's critical path.
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

/** Starts a replay server on an ephemeral port of 127.0.0.1. */
export async function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const recordings = new Map<string, Map<string, Recording>>(Object.keys(options.targets).map((t) => [t, new Map()]));
  const epochs = new Map<string, number>(Object.keys(options.targets).map((t) => [t, 0]));
  let delayMs = options.delayMs ?? 0;
  const opensNoSessions = new Set<string>();
  let stats: ReplayStats = { requests: 0, misses: 0, byTarget: {} };
  let log: Array<{ target: string; body: string; start: number; end: number }> | undefined;

  const forward = async (target: string, req: IncomingMessage, body: string): Promise<Recording> => {
    const headers: Record<string, string> = { ...(options.defaultHeaders?.(target) ?? {}) };
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) headers[name] = value;
    }
    const response = await fetch(options.targets[target], { method: 'POST', headers, body });
    const session = response.headers.get(SESSION_HEADER) ?? undefined;
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()), ...(session ? { session } : {}) };
  };

  const answer = async (target: string, req: IncomingMessage, body: string): Promise<Recording> => {
    const recorded = recordings.get(target)!;
    const hit = recorded.get(body);
    // A call that offers an assertion session goes to the real service, as every call would:
    // only it can open the session that the gateway's later calls are made under. A service
    // seen to open none (no Xietong subgraph, e.g. W1's) is answered from the recordings again.
    const offers = offersSession(req) && !opensNoSessions.has(target);
    if (hit && !offers) {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return hit;
    }
    stats.misses++;
    const epoch = epochs.get(target)!;
    const mutation = isMutation(body);
    const fresh = await forward(target, req, body);
    if (offers && fresh.session === undefined) opensNoSessions.add(target);
    if (mutation) {
      epochs.set(target, epoch + 1);
      recorded.clear();
    } else if (fresh.status === 200 && epochs.get(target) === epoch) {
      recorded.set(body, { status: fresh.status, body: fresh.body });
    }
    return fresh;
  };

  const server: Server = createServer((req, res) => {
    const target = req.url ?? '';
    // Control routes for the harness in another process.
    if (target === '/__stats') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    if (target === '/__reset') return void res.writeHead(204).end(void (stats = { requests: 0, misses: 0, byTarget: {} }));
    if (target.startsWith('/__delay/')) return void res.writeHead(204).end(void (delayMs = Number(target.slice(9)) || 0));
    if (target === '/__log/start') return void res.writeHead(204).end(void (log = []));
    if (target === '/__log/stop') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(log ?? []));
      return void (log = undefined);
    }
    if (!recordings.has(target) || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const start = performance.now();
    readBody(req)
      .then(async (body) => {
        stats.requests++;
        stats.byTarget[target] = (stats.byTarget[target] ?? 0) + 1;
        const r = await answer(target, req, body);
        log?.push({ target, body, start, end: performance.now() });
        return r;
      })
      .then(
        (r) => res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': r.body.length, ...(r.session ? { [SESSION_HEADER]: r.session } : {}) }).end(r.body),
        () => res.writeHead(502).end(),
      );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => stats,
    reset: () => {
      stats = { requests: 0, misses: 0, byTarget: {} };
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
