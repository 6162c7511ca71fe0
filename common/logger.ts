import { pino, type Logger } from 'pino';

/** Creates the structured logger of one service; level from LOG_LEVEL (silent in tests). */
export function createLogger(service: string): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');
  return pino({ name: service, level });
}
export type { Logger };

/** Apollo's logger interface over a pino logger, so Apollo's own messages are structured too. */
export function apolloLogger(logger: Logger) {
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  return {
    debug: (...args: unknown[]) => logger.debug(text(args)),
    info: (...args: unknown[]) => logger.info(text(args)),
    warn: (...args: unknown[]) => logger.warn(text(args)),
    error: (...args: unknown[]) => logger.error(text(args)),
  };
}
