import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

/** How to reach the database: the API passes its parsed DATABASE_URL, DB_POOL_SIZE and DB_TIMEOUT_MS. */
export interface DatabaseOptions {
  url: string;
  poolSize: number;
  /** Connection and statement time limit (ms): past it a query fails instead of hanging. */
  timeoutMs: number;
}

/**
 * The Prisma client over node-postgres. Connections and statements are time-limited
 * so an unreachable database turns into a fast 503, not a hung request; the pool
 * reconnects on its own when Postgres returns. A plain class (no framework in this package):
 * the API provides it with a factory, and Nest calls `onModuleDestroy` at shutdown.
 */
export class PrismaService extends PrismaClient {
  /**
   * Prisma's own connection pool, for the few hot-path reads that skip Prisma's query layer
   * (it costs about 0.2 ms per query over node-postgres, 0.27 ms over a prepared statement).
   * Same connections, same timeouts, same error codes for the outage mapping.
   */
  readonly pool: pg.Pool;

  constructor(options: DatabaseOptions) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      // The same limit on the server: a statement the client gave up on is cancelled there
      // too, instead of holding a connection and a backend busy for nothing.
      statement_timeout: options.timeoutMs,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection dropped by the server must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.pool = pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
