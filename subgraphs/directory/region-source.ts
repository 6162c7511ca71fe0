import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from '../../common/logger.js';
import { readRegions, type RegionInfo } from '../../common/regions/region-file.js';

/**
 * The cooperation regions as the directory serves them, from a data file it re-reads when the
 * file changes (checked every `pollMs`), so a region is added or changed without a rebuild or a
 * restart. A file that fails to parse at start-up is an error; one that fails later is logged and
 * the regions read before stay in force, so a half-saved edit never empties the regions.
 */
export class RegionSource {
  private regions: readonly RegionInfo[];
  private readonly onChange = (now: Stats, before: Stats) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) this.reload();
  };

  private constructor(
    private readonly path: string,
    private readonly logger: Logger,
    pollMs: number,
  ) {
    this.regions = readRegions(path);
    watchFile(path, { interval: pollMs, persistent: false }, this.onChange);
  }

  /** Reads the file now and watches it; throws InvalidRegionsFile (naming each problem) or the read error. */
  static open(path: string, logger: Logger, pollMs = 1000): RegionSource {
    return new RegionSource(path, logger, pollMs);
  }

  /** Every region, in the file's order. */
  list(): readonly RegionInfo[] {
    return this.regions;
  }

  /** One region by code. */
  find(code: string): RegionInfo | undefined {
    return this.regions.find((r) => r.code === code);
  }

  /** The regions a province belongs to, in the file's order. */
  regionsOf(province: string): RegionInfo[] {
    return this.regions.filter((r) => r.provinceCodes.includes(province));
  }

  /** Stops watching the file. */
  close(): void {
    unwatchFile(this.path, this.onChange);
  }

  private reload(): void {
    try {
      this.regions = readRegions(this.path);
      this.logger.info({ file: this.path, regions: this.regions.map((r) => r.code) }, 'regions reloaded');
    } catch (error) {
      this.logger.error({ file: this.path, err: (error as Error).message }, 'regions file refused; the regions read before stay in force');
    }
  }
}
