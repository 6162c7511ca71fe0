import { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../common/logger.js';
import { writesPerTurn } from './turn-writes.js';
import { dropWhenHung } from './hung-connection.js';
import { TurnEnd } from './turn-end.js';

/** Where the shared state lives: one Redis node, or a Redis Cluster. */
export type RedisConfig = { url: string } | { cluster: { host: string; port: number }[] };

/** A Redis client (node or cluster), as the gateway uses it. */
export type RedisClient = Redis | Cluster;

/** Longest a command to the shared state waits for Redis's answer, ms. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

// The turn end of each client connectRedis made, for the batched reads sent through it.
const turnEnds = new WeakMap<RedisClient, TurnEnd>();

/**
 * Where reads sent through `client` are batched so that they leave with its turn's writes: the
 * turn end its sockets are uncorked at (undefined for a client connectRedis did not make).
 */
export function turnEndOf(client: RedisClient): TurnEnd | undefined {
  return turnEnds.get(client);
}

/**
 * Connects to Redis for state that gateway replicas share. Commands fail fast while Redis is
 * unreachable (no offline queue, one try), so callers degrade at once instead of hanging;
 * ioredis keeps reconnecting in the background. Connection errors are logged once per outage.
 * A turn's writes leave together at the client's turn end ({@link turnEndOf}, see writesPerTurn),
 * after the reads batched there.
 */
export function connectRedis(config: RedisConfig, logger: Logger, name = 'shared-state'): RedisClient {
  const options = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // A Redis that accepts commands and stops answering (stopped, swapping, a long script) must
    // not hold requests: each command gives up after this, and its caller goes on without it.
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // No auto-pipelining: ioredis sends one auto-pipeline at a time, so every command waits for
    // all replies of the one before it (an audit batch holds up the next request's rate check).
    // Waiting commands outlive young-generation collections: in the W2 bench it promoted 1.1 MB
    // per scavenge against 0.3 MB without, at 4.7 ms per scavenge against 1.8 (2026-12-03).
    // Commands still share socket writes: see writesPerTurn.
    enableAutoPipelining: false,
  };
  const client: RedisClient =
    'url' in config ? new Redis(config.url, options) : new Cluster(config.cluster, { redisOptions: options, enableOfflineQueue: false, enableAutoPipelining: false });
  const turnEnd = new TurnEnd((error) => logger.error({ redis: name, err: error }, 'work at the end of an event-loop turn failed'));
  turnEnds.set(client, turnEnd);
  const hung = () => logger.warn({ redis: name }, `redis did not answer within ${REDIS_COMMAND_TIMEOUT_MS} ms; reconnecting, serving without shared state meanwhile`);
  const wrap = (node: Redis) => {
    writesPerTurn(node, turnEnd);
    dropWhenHung(node, hung);
  };
  if (client instanceof Cluster) client.on('+node', wrap);
  else wrap(client);
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn({ redis: name, err: error.message }, 'redis unreachable; serving without shared state until it returns');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis is back');
    down = false;
  });
  return client;
}

/** Resolves once the client is ready, or rejects after `timeoutMs`. */
export function whenReady(client: RedisClient, timeoutMs = 3000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
