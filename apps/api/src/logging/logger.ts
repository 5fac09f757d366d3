import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/config.js';

/** LOG_LEVEL keeps Nest's level names (what the README always documented); pino's equivalents. */
const PINO_LEVEL: Record<AppConfig['LOG_LEVEL'], LevelWithSilent> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** `LOG_FORMAT` when set; otherwise human-readable only for a developer at a terminal. */
export function logFormat(config: AppConfig): 'json' | 'pretty' {
  return config.LOG_FORMAT ?? (config.NODE_ENV === 'development' && process.stdout.isTTY ? 'pretty' : 'json');
}

/**
 * The process's one logger: Fastify's request logger, and (through NestPinoLogger) every Nest
 * `Logger`. JSON lines, one object each, for a log pipeline.
 *
 * Where lines go: outside tests, an asynchronous buffered stdout (sonic-boom), so a busy
 * instance does not pay a write system call per request; pino flushes it on exit. Tests read
 * what the API logs through `process.stdout.write`, so there they are written through it.
 */
export function createLogger(config: AppConfig): Logger {
  const options: pino.LoggerOptions = {
    level: PINO_LEVEL[config.LOG_LEVEL],
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (logFormat(config) === 'pretty') {
    return pino(options, pretty({ colorize: true, sync: true, ignore: 'pid', translateTime: 'SYS:HH:MM:ss.l' }));
  }
  const destination = config.NODE_ENV === 'test' ? process.stdout : pino.destination({ dest: 1, sync: false, minLength: 4096 });
  return pino(options, destination);
}
