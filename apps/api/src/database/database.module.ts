import { Global, Module } from '@nestjs/common';
import { PrismaService } from '@aius/db';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** The one database connection pool of the process, from the parsed settings (see @aius/db). */
export const databaseOptions = (config: Pick<AppConfig, 'DATABASE_URL' | 'DB_POOL_SIZE' | 'DB_TIMEOUT_MS'>) => ({
  url: config.DATABASE_URL,
  poolSize: config.DB_POOL_SIZE,
  timeoutMs: config.DB_TIMEOUT_MS,
});

@Global()
@Module({
  providers: [{ provide: PrismaService, useFactory: (config: AppConfig) => new PrismaService(databaseOptions(config)), inject: [APP_CONFIG] }],
  exports: [PrismaService],
})
export class DatabaseModule {}
