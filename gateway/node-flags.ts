/**
 * The Node.js flags the gateway runs with (Dockerfile, docker-compose.yml, `npm run gateway`,
 * `npm start` and the other npm scripts that host it, the benchmark; test/docker-compose.test.ts
 * keeps them equal). Province processes run with Node's defaults.
 *
 * Semi-spaces of 32 MiB in the young generation instead of V8's default (16 MiB with the heap limit
 * Node picks on a machine with a few GiB or more; less under a smaller limit): under load, a gateway holds the
 * parsed answers of every request in flight, and with the default size each scavenge finds many
 * of them still alive, copies them and promotes them to the old generation, which later needs full
 * collections. Garbage collection was 23% of the gateway's CPU in W1 (`npm run bench`); with this
 * flag W1 took 15% less CPU per request and W2 12% less, for about 40 MiB more resident memory
 * per process (per worker with XIETONG_WORKERS); 64 MiB saved more CPU but took W2 past its 300 MB
 * memory bound.
 * V8 reads it only at start-up, so it cannot be set from the gateway's own code.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=32'] as const;
