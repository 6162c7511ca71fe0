import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** How log lines look: JSON (production, the default) or lines a person reads (`npm start`). */
export type LogFormat = 'json' | 'pretty';

/** The log format from XIETONG_LOG_FORMAT, refusing anything else at start-up. */
export function logFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = env.XIETONG_LOG_FORMAT ?? 'json';
  if (value !== 'json' && value !== 'pretty') throw new Error(`XIETONG_LOG_FORMAT must be "json" or "pretty", got "${value}"`);
  return value;
}

/**
 * Creates the structured logger of one service; level from LOG_LEVEL (silent in tests), format
 * from XIETONG_LOG_FORMAT. Pretty lines are written in this thread (no transport worker per
 * logger), with the service name and request id up front.
 */
export function createLogger(service: string): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');
  if (logFormat() === 'json') return pino({ name: service, level });
  return pino(
    { name: service, level },
    pretty({
      colorize: process.stdout.isTTY,
      translateTime: 'HH:MM:ss',
      ignore: 'pid,hostname,requestId',
      messageFormat: '{if requestId}[{requestId}] {end}{msg}',
      singleLine: true,
      sync: true,
    }),
  );
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
