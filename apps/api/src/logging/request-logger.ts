import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

/**
 * Fastify's `childLoggerFactory`: each request's `request.log`. Fastify makes a pino child per
 * request (its bindings serialized to JSON up front) whether or not the request ever logs; at
 * LOG_LEVEL=warn most requests log nothing, so that child was pure cost on every route. The
 * child is made on the request's first line instead, with the same bindings (the request id):
 * what is written is unchanged. A route with its own level or serializers gets its child at once.
 */
export function requestChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (options.level !== undefined || options.serializers !== undefined) return logger.child(bindings, options);
  // The app's logger is pino (logging/logger.ts). Fastify checks the methods it calls (below);
  // the rest of pino's surface is not used on a request's logger.
  return new RequestLogger(logger as Logger, bindings) as unknown as FastifyBaseLogger;
}

type Write = (...args: unknown[]) => void;

class RequestLogger {
  private made: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly own: Bindings,
  ) {}

  get level(): string {
    return this.parent.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.parent.isLevelEnabled(level);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.real().child(bindings, options);
  }

  bindings(): Bindings {
    return this.real().bindings();
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.parent.isLevelEnabled(level)) return;
    const real = this.real();
    (real[level] as Write).apply(real, args);
  }

  private real(): Logger {
    return (this.made ??= this.parent.child(this.own));
  }
}
