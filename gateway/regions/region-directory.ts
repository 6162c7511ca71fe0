import type { Agent } from 'undici';
import type { Logger } from '../../common/logger.js';
import { postGraphQL } from '../../common/post-graphql.js';
import { RegionMembership } from '../../common/regions/membership.js';

/** Options of {@link RegionDirectory.start}. */
export interface RegionDirectoryOptions {
  /** The directory subgraph's GraphQL URL. */
  url: string;
  agent: Agent;
  timeoutMs: number;
  /** Pause between two readings of the directory's regions, ms. */
  pollMs: number;
  /** The gateway's SYSTEM assertion to the directory (it may read the regions, nothing else). */
  assertion: () => string;
  logger: Logger;
}

// Named, so the directory's log shows what the polls are.
const QUERY = 'query XietongRegions { regions { code provinces { code } } }';

/**
 * The region membership the gateway decides by, read from the directory (which owns the
 * regions) at start-up and every `pollMs`, so a region added or changed there is routed within
 * about one interval, with no restart of any service. Each request takes the membership current
 * when it is authenticated and carries it to every subgraph in its assertions, so one request is
 * decided by one table throughout. Until the directory first answers, there are no regions: a
 * region scope is UNKNOWN_REGION and a coordinator's token is refused, both saying why.
 */
export class RegionDirectory {
  private membership = RegionMembership.EMPTY;
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(private readonly options: RegionDirectoryOptions) {}

  /** Reads the directory once (a failure is logged, not thrown) and keeps reading it. */
  static async start(options: RegionDirectoryOptions): Promise<RegionDirectory> {
    const directory = new RegionDirectory(options);
    await directory.refresh();
    directory.schedule();
    return directory;
  }

  /** The membership as last read. */
  current(): RegionMembership {
    return this.membership;
  }

  /** Whether the directory has answered since start-up (what an UNKNOWN_REGION message should say). */
  get ready(): boolean {
    return this.loaded;
  }

  /** Reads the regions now; true when the directory answered with them. */
  async refresh(): Promise<boolean> {
    const result = await postGraphQL(this.options.url, { query: QUERY }, { agent: this.options.agent, timeoutMs: this.options.timeoutMs, assertion: this.options.assertion() });
    const regions = 'answer' in result ? (result.answer.data?.regions as { code: string; provinces: ({ code: string } | null)[] }[] | undefined) : undefined;
    if (!Array.isArray(regions)) {
      const why = 'failure' in result ? result.failure : JSON.stringify(result.answer.errors?.map((e) => e.message) ?? []);
      this.options.logger.warn({ url: this.options.url, why }, 'could not read the regions from the directory; the regions read before stay in force');
      return false;
    }
    const next = RegionMembership.of(regions.map((r) => ({ code: r.code, provinceCodes: r.provinces.flatMap((p) => (p ? [p.code] : [])) })));
    // An unchanged table stays the same value: what is derived from it (coordinators' principals
    // and their scope keys) is kept per value. Compared whole, not by its short version digest.
    if (!next.sameAs(this.membership)) {
      this.options.logger.info({ regions: next.toClaim(), version: next.version }, this.loaded ? 'regions changed' : 'regions read from the directory');
      this.membership = next;
    }
    this.loaded = true;
    return true;
  }

  /** Stops polling. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.options.pollMs);
    this.timer.unref();
  }
}

/** The URL the supergraph gives a subgraph (`@join__graph(name:, url:)`), if it names one. */
export function supergraphUrlOf(supergraphSdl: string, subgraph: string): string | undefined {
  const escaped = subgraph.replace(/[^a-z0-9_-]/gi, '');
  return new RegExp(`@join__graph\\(name: "${escaped}", url: "([^"]+)"\\)`).exec(supergraphSdl)?.[1];
}
