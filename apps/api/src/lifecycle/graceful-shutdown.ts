import type { Server } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** Work to do when draining starts, before the listener closes (e.g. ask run sockets to reconnect elsewhere). */
export type DrainHook = () => Promise<void> | void;

/**
 * The shutdown order (issue 12): Nest's own `app.close()` runs every module's onModuleDestroy
 * (closing the upstream pools, the database) before it closes the HTTP server, so calls still in
 * flight failed with 503. On SIGTERM/SIGINT this runs instead:
 *
 * 1. draining: GET /ready answers 503 `shutting down`, every response says `Connection: close`,
 *    and the registered drain hooks run;
 * 2. after SHUTDOWN_DELAY_MS (time for a balancer to see /ready fail) the listener closes: new
 *    connections are refused, idle keep-alive ones closed;
 * 3. in-flight requests and streams finish, for at most SHUTDOWN_GRACE_MS; what is left then is cut
 *    (and logged);
 * 4. only then `app.close()`: upstream pools closed, usage and last-used flushed, Postgres and
 *    Redis disconnected (the modules' onModuleDestroy hooks).
 *
 * A module that must act when draining starts calls `onDrain` (from its constructor or
 * onModuleInit); hooks run together and are awaited, within the grace period. Work that must
 * happen after the last request (flushing a buffer) belongs in onModuleDestroy as before.
 */
@Injectable()
export class GracefulShutdown {
  private readonly logger = new Logger('Shutdown');
  private readonly hooks: { name: string; run: DrainHook }[] = [];
  private running?: Promise<void>;
  /** True from the signal on: readiness fails and connections are not kept alive. */
  draining = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onDrain(name: string, run: DrainHook): void {
    this.hooks.push({ name, run });
  }

  /** For main.ts: SIGTERM and SIGINT drain and close the app once, then exit. */
  handleSignals(app: NestFastifyApplication): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        void this.shutdown(app, signal).then(
          () => process.exit(0),
          (error: unknown) => {
            this.logger.error(`shutdown failed: ${(error as Error).stack ?? String(error)}`);
            process.exit(1);
          },
        );
      });
    }
  }

  shutdown(app: NestFastifyApplication, reason: string): Promise<void> {
    this.running ??= this.run(app, reason);
    return this.running;
  }

  private async run(app: NestFastifyApplication, reason: string): Promise<void> {
    const started = Date.now();
    const deadline = started + this.config.SHUTDOWN_DELAY_MS + this.config.SHUTDOWN_GRACE_MS;
    this.draining = true;
    const server = app.getHttpServer() as Server;
    // From now on every answer closes its connection: a client's next call opens a new one,
    // elsewhere. A raw listener added now, so that no hook runs on every request before.
    server.prependListener('request', (_request, response) => response.setHeader('connection', 'close'));
    this.logger.log(`${reason}: draining (readiness fails from now on)`);
    await this.withinDeadline(
      Promise.all(this.hooks.map(async (hook) => {
        try {
          await hook.run();
        } catch (error) {
          this.logger.warn(`drain hook ${hook.name} failed: ${String(error)}`);
        }
      })),
      deadline,
    );
    if (this.config.SHUTDOWN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, Math.max(0, started + this.config.SHUTDOWN_DELAY_MS - Date.now())));

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (!(await this.withinDeadline(closed, deadline))) {
      const open = await new Promise<number>((resolve) => server.getConnections((_, n) => resolve(n)));
      this.logger.warn(`grace period over: cutting ${open} connection(s) still open`);
      server.closeAllConnections();
      await closed;
    }
    await app.close();
    this.logger.log(`stopped in ${Date.now() - started} ms`);
  }

  /** Whether `work` settled before `deadline` (ms since epoch). */
  private async withinDeadline(work: Promise<unknown>, deadline: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
    try {
      return await Promise.race([work.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
