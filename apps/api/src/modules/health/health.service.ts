import { Injectable } from '@nestjs/common';
import type { ReadyResponse } from '@aius/contracts';
import { PrismaService } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { isDatabaseUnavailable } from '../../common/error-response.js';
import { GracefulShutdown } from '../../lifecycle/graceful-shutdown.js';
import { RedisService } from '../../redis/redis.service.js';

@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly shutdown: GracefulShutdown,
  ) {}

  /** 503 `shutting down` from SIGTERM on, so a balancer stops routing here first; else Postgres must answer. */
  async readiness(): Promise<ReadyResponse> {
    if (this.shutdown.draining) throw new ApiError('SHUTTING_DOWN');
    try {
      await this.prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw new ApiError('ACCOUNT_SERVICE_UNAVAILABLE');
      throw error;
    }
    let redis: ReadyResponse['redis'] = 'memory';
    if (this.redis.client) {
      redis = await this.redis.client.ping().then(
        () => 'ok' as const,
        () => 'memory' as const,
      );
    }
    return { status: 'ok', postgres: 'ok', redis };
  }
}
