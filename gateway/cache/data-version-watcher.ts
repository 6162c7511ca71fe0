import type { Agent } from 'undici';
import type { Logger } from '../../common/logger.js';
import { callProvince } from '../transport/province-client.js';
import type { Credentials } from '../transport/assertion-sessions.js';
import type { ProvinceGuards } from '../shard/province-guard.js';
import type { ProvinceRegistry } from '../shard/registry.js';
import type { GenerationStore } from './generations.js';

/** Options of {@link watchDataVersions}. */
export interface DataVersionWatcherOptions {
  registry: ProvinceRegistry;
  generations: GenerationStore;
  /** Pause between two readings of every province. */
  pollMs: number;
  agent: Agent;
  guards: ProvinceGuards;
  timeoutMs: number;
  /** The gateway's SYSTEM assertions (SYSTEM may read the data version and nothing else), with its sessions. */
  credentials: Credentials;
  logger: Logger;
}

// Named, so province logs show what the polls are.
const QUERY = 'query XietongDataVersion { _dataVersion { marker settling } }';

/** A running watcher. */
export interface DataVersionWatcher {
  /**
   * Reads these provinces' versions now. Called right after a write through the gateway (whose
   * counters it has already raised): the version that includes the write is recorded at once,
   * so the next poll does not expire the same answers again a second later.
   */
  refresh(provinces: readonly string[]): Promise<void>;
  /** When this gateway last saw each province's data change (epoch ms). */
  lastChanges(): ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

/**
 * Reads every registered province instance's data version once per `pollMs` and raises a
 * province's generation counter when its version changed, so cached answers about it expire
 * within about one interval of a write made directly to its database (writes through the
 * gateway expire them at once). An instance serving several provinces is asked once. A province
 * that does not answer is skipped until it does; its cached answers still expire with the TTL.
 */
export function watchDataVersions(options: DataVersionWatcherOptions): DataVersionWatcher {
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  let stopped = false;
  const changedAt = new Map<string, number>();

  const read = async (only?: ReadonlySet<string>) => {
    const byUrl = new Map<string, string[]>();
    for (const { code, url } of options.registry.list()) if (!only || only.has(code)) byUrl.set(url, [...(byUrl.get(url) ?? []), code]);
    await Promise.all(
      [...byUrl].map(async ([url, codes]) => {
        const answer = await callProvince(
          codes[0],
          url,
          { query: QUERY },
          { agent: options.agent, guards: options.guards, timeoutMs: options.timeoutMs, credentials: options.credentials },
        );
        const version = answer.data?._dataVersion as { marker: string; settling: boolean } | undefined;
        if (!version) return;
        // A settling marker must count as changed next time, so it is never recorded twice alike.
        const marker = `${url} ${version.marker}${version.settling ? ` ~${Date.now()}` : ''}`;
        for (const code of codes) {
          if (await options.generations.observe(code, marker)) {
            changedAt.set(code, Date.now());
            options.logger.debug({ province: code }, 'province data changed; its cached answers expire');
          }
        }
      }),
    );
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round = read()
        .catch((error: unknown) => options.logger.warn({ err: (error as Error).message }, 'could not read province data versions'))
        .finally(schedule);
    }, options.pollMs);
    timer.unref();
  };
  schedule();
  return {
    lastChanges: () => changedAt,
    async refresh(provinces) {
      await read(new Set(provinces)).catch((error: unknown) => options.logger.warn({ err: (error as Error).message }, 'could not read province data versions'));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
