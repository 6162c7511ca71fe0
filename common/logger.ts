import { pino, type Logger } from 'pino';

/** Creates the structured logger of one service; level from LOG_LEVEL (silent in tests). */
export function createLogger(service: string): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');
  return pino({ name: service, level });
}
export type { Logger };
