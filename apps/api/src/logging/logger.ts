import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import sonicBoom, { type SonicBoom as Destination } from 'sonic-boom';
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
 * Where lines go: outside tests, an asynchronous buffered stdout (sonic-boom, see
 * stdoutDestination), so a busy instance does not pay a write system call per request. Tests read
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
  return pino(options, config.NODE_ENV === 'test' ? process.stdout : stdoutDestination());
}

/**
 * stdout in 4 KB writes, flushed at exit. sonic-boom 5 itself rather than `pino.destination`,
 * which is sonic-boom 4 (pino 10 still bundles it): 4's synchronous flush retries a failed write
 * every 100 ms for ever, on the main thread, whatever the error, so an instance whose log reader
 * had gone (the pipe's other end closed: EPIPE) hung in the flush pino makes at exit and never
 * exited, SIGTERM or not (test/faults: graceful-restart.spec). 5 gives up on what a retry cannot
 * fix. What `pino.destination` adds is kept: a reader that has gone ends the logging, not the
 * process; any other write error is thrown as before; what is buffered is written at exit.
 */
function stdoutDestination(): Destination {
  // The package is CommonJS (`module.exports = SonicBoom`) while its types declare an ES default export.
  const SonicBoom = sonicBoom as unknown as typeof Destination;
  const stream = new SonicBoom({ fd: 1, sync: false, minLength: 4096 });
  const gone = () => undefined;
  stream.on('error', function readerGone(error: NodeJS.ErrnoException) {
    if (error.code === 'EPIPE') {
      stream.write = () => true;
      stream.flushSync = gone;
      stream.end = gone;
      return;
    }
    stream.removeListener('error', readerGone);
    stream.emit('error', error);
  });
  process.once('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // Nowhere left to write it: the process exits all the same.
    }
  });
  return stream;
}
