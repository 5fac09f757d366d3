import fastifyWebsocket from '@fastify/websocket';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { API_BASE, RUN_CLOSE, RUN_MESSAGES, routes } from '@aius/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { WebSocket } from 'ws';
import { ApiError } from '../../common/api-error.js';
import { CredentialCheck } from '../../common/credential-check.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { GracefulShutdown } from '../../lifecycle/graceful-shutdown.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { AgentsService } from '../agents/agents.service.js';
import { UpstreamMeter } from '../proxy/upstream-meter.js';
import { UpstreamRegistry } from '../proxy/upstream-registry.js';
import { RateLimitService } from '../rate-limit/rate-limit.service.js';
import { UsageRecorder } from '../usage/usage-recorder.js';
import type { RunDeps } from './agent-run.js';
import { OpenRuns } from './open-runs.js';
import { RunConnection, encodeFrame } from './run-connection.js';
import { RunRecorder } from './run-recorder.js';

/**
 * `GET /runs/ws` (and `/v1/runs/ws` through the app's URL rewrite) on the API's own Fastify
 * server and port, through @fastify/websocket (ws). The plugin dispatches the upgrade through
 * Fastify's router before upgrading, so the per-IP limiter's onRequest hook (and the route
 * table's policy for this path) applies to the upgrade like to any request: a refused upgrade
 * gets the usual 429 response.
 *
 * One timer pings every open socket each RUN_PING_INTERVAL_SECONDS (idle proxies keep the
 * connection; a peer that missed a pong is dropped), rather than a timer per socket.
 * At shutdown (when draining starts, or at Nest's onModuleDestroy for an app closed directly) every open run gets the
 * retryable `error` frame "server restarting" and close 1012 (Service Restart); upgrades that
 * arrive after that get the same. Runs and usage are flushed once their loops have stopped.
 */
@Injectable()
export class RunSocket implements OnModuleDestroy {
  private readonly logger = new Logger('RunSocket');
  private readonly open = new Set<RunConnection>();
  private readonly deps: RunDeps;
  private pinger?: NodeJS.Timeout;
  private closing = false;
  private ending?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    credentials: CredentialCheck,
    rateLimits: RateLimitService,
    agents: AgentsService,
    upstreams: UpstreamRegistry,
    private readonly usage: UsageRecorder,
    private readonly recorder: RunRecorder,
    openRuns: OpenRuns,
    shutdown: GracefulShutdown,
    private readonly metrics: MetricsService,
    meter: UpstreamMeter,
  ) {
    this.deps = { config, credentials, rateLimits, agents, upstreams, meter, recorder, openRuns, logger: this.logger };
    // On SIGTERM the runs end as soon as draining starts, not once the HTTP server has closed:
    // an upgraded socket would otherwise hold the server's close for the whole grace period.
    shutdown.onDrain('run sockets', () => this.endRuns());
  }

  /**
   * Loads @fastify/websocket. Before any other hook is added: the plugin's onRequest hook marks
   * an upgrade request, and its onResponse hook then closes the socket of one answered over
   * HTTP; a request refused by an earlier hook (the limiter's 429) would keep its socket open.
   */
  async registerPlugin(app: NestFastifyApplication): Promise<void> {
    await app.register(fastifyWebsocket, {
      options: { maxPayload: this.config.RUN_MAX_MESSAGE_BYTES },
      // ws already answers a protocol error (1009 for an oversized frame) with its close frame;
      // the plugin's default handler would destroy the socket before that frame is out.
      errorHandler: (error) => this.logger.debug(`run socket: ${error.message}`),
      // Our own shutdown has ended every run by then (see onModuleDestroy).
      preClose: (done) => done(),
    });
  }

  /** The route, once the plugin is loaded (it only upgrades routes declared after it). */
  install(app: NestFastifyApplication): void {
    const fastify = app.getHttpAdapter().getInstance();
    fastify.route({
      method: 'GET',
      url: `${API_BASE}${routes.runSocket.path}`,
      // A plain GET (no upgrade) gets the unknown-route answer every other path gives.
      handler: () => {
        throw new ApiError('ROUTE_NOT_FOUND');
      },
      wsHandler: (socket) => this.accept(socket),
    });
    this.pinger = setInterval(() => {
      for (const conn of this.open) conn.ping();
    }, this.config.RUN_PING_INTERVAL_SECONDS * 1000);
    this.pinger.unref();
  }

  get openRuns(): number {
    return this.open.size;
  }

  private accept(socket: WebSocket): void {
    if (this.closing) {
      socket.send(encodeFrame({ type: 'error', detail: RUN_MESSAGES.restarting }));
      socket.close(RUN_CLOSE.RESTART);
      return;
    }
    const conn = new RunConnection(socket, this.deps);
    this.open.add(conn);
    this.metrics.openRunSockets.set(this.open.size);
    void conn.done.then(() => {
      this.open.delete(conn);
      this.metrics.openRunSockets.set(this.open.size);
    });
  }

  /** Every open run gets the retryable end; later upgrades too. Once, whoever asks first. */
  private endRuns(): Promise<void> {
    this.ending ??= (async () => {
      this.closing = true;
      clearInterval(this.pinger);
      const open = [...this.open];
      for (const conn of open) conn.shutdown();
      // Sockets close once the client answers the close frame; ws gives up after its own timeout.
      await Promise.all(open.map((c) => c.done));
    })();
    return this.ending;
  }

  async onModuleDestroy(): Promise<void> {
    await this.endRuns();
    await Promise.all([this.usage.flush(), this.recorder.flush()]);
  }
}
