import 'reflect-metadata';
import { Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { API_BASE, API_BASE_ALIAS, DEFAULT_BODY_LIMIT } from '@aius/contracts';
import { migrate } from '@aius/db';
import { AppModule } from './app.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { installArrival } from './common/arrival.js';
import { installBodyLimits } from './common/body-limits.js';
import { clientErrorHandler, frameworkErrors } from './common/framework-errors.js';
import type { AppConfig } from './config/config.js';
import { createLogger } from './logging/logger.js';
import { NestPinoLogger } from './logging/nest-logger.js';
import { RequestLog, echoRequestId, requestId } from './logging/request-log.js';
import { requestChildLogger } from './logging/request-logger.js';
import { MetricsService } from './metrics/metrics.service.js';
import { ArtifactUploadRoute } from './modules/artifacts/artifact-upload.route.js';
import { ClientListCache } from './modules/clients/client-list.cache.js';
import { LivenessRoute } from './modules/health/liveness.route.js';
import { ChatRoute } from './modules/proxy/chat.route.js';
import { RateLimitService } from './modules/rate-limit/rate-limit.service.js';
import { RunSocket } from './modules/runs/run-socket.js';
import { BearerVerifier } from './modules/tokens/bearer-verifier.js';

/** Builds the API (not yet listening): used by main.ts and by the integration tests. */
export async function createApp(
  config: AppConfig,
  options: { extraModules?: Type[] } = {},
): Promise<NestFastifyApplication> {
  // One pino for Fastify's request log and every Nest Logger (see logging/logger.ts).
  const logger = createLogger(config);
  const nestLogger = new NestPinoLogger(logger);
  Logger.overrideLogger(nestLogger);
  if (config.MIGRATE_ON_BOOT) {
    await migrate(config.DATABASE_URL, { log: (line) => new Logger('Migrations').log(line) });
  }
  const requestLog = new RequestLog();
  const adapter = new FastifyAdapter({
    // Existing clients default to http://localhost:8000/v1: serve /v1/* with the same handlers.
    rewriteUrl: (req: { url?: string }) => {
      const url = req.url ?? '/';
      return url === API_BASE_ALIAS || url.startsWith(`${API_BASE_ALIAS}/`) || url.startsWith(`${API_BASE_ALIAS}?`)
        ? `/api${url}`
        : url;
    },
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: DEFAULT_BODY_LIMIT,
    loggerInstance: logger,
    // Fastify's own two lines per request are replaced by one (logging/request-log.ts).
    logController: requestLog,
    genReqId: requestId,
    // request.log is made on a request's first line, not for every request (see requestChildLogger).
    childLoggerFactory: requestChildLogger,
    // Requests already on a connection when shutdown starts are served, not refused with 503:
    // GracefulShutdown closes the listener and lets them finish (see there).
    return503OnClosing: false,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    // request.ip: the socket address, or X-Forwarded-For only when the peer is a trusted proxy (spec §7).
    trustProxy: config.TRUSTED_PROXIES,
    frameworkErrors,
    clientErrorHandler,
    // AIUS has no Nest middleware (its request-time steps are the arrival hook's contributors), so
    // @fastify/middie's onRequest hook ran on every request for nothing. A middleware added later
    // fails at boot (the adapter's use() needs middie) instead of being silently skipped.
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.extraModules), adapter, {
    logger: nestLogger,
    bodyParser: false,
  });
  registerJsonParser(app);
  const fastify = app.getHttpAdapter().getInstance();
  // The run loop's WebSocket plugin first: see RunSocket.registerPlugin.
  await app.get(RunSocket).registerPlugin(app);
  // Before any route exists: each gets its contract's body limit.
  installBodyLimits(fastify);
  app.get(MetricsService).install(requestLog);
  // The arrival step, one Fastify hook (before body parsing and the credential guard) running its
  // contributors in this order: the request id header first (every answer carries it); then a
  // warm token's marker read and GET /clients's list-version read start, so they leave in the same
  // Redis write as the limiter's script (common/arrival.ts).
  installArrival(fastify, [echoRequestId, app.get(BearerVerifier), app.get(ClientListCache), app.get(RateLimitService)], (name, error) =>
    new Logger('Arrival').error(`${name} failed, the request goes on without it: ${String(error)}`),
  );
  // The chat proxy's route, served by Fastify without Nest's router (see ChatRoute).
  app.get(ChatRoute).install(fastify);
  // Liveness, likewise outside Nest's router (see LivenessRoute).
  app.get(LivenessRoute).install(fastify);
  // The one route with a larger body limit and a streaming body parser, in a Fastify scope of its own.
  app.get(ArtifactUploadRoute).install(fastify);
  // The run loop's WebSocket, on the same server and port (see RunSocket).
  app.get(RunSocket).install(app);
  app.setGlobalPrefix(API_BASE.slice(1));
  app.useGlobalFilters(new ApiExceptionFilter());
  // No enableShutdownHooks(): Nest's close would stop the pools before the server (main.ts
  // hands SIGTERM to GracefulShutdown instead).
  await app.init();
  return app;
}

/**
 * JSON bodies with Fastify's prototype-poisoning-safe parser; an empty body counts as
 * no body (many HTTP clients send `Content-Type: application/json` with nothing after it).
 * The text as received is kept on `request.rawBody` so the chat proxy can forward the
 * client's bytes untouched instead of re-serializing them (a reference, not a copy).
 */
function registerJsonParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    req.rawBody = body as string;
    return parse(req, body as string, done);
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received (set by the JSON parser). */
    rawBody?: string;
  }
}
