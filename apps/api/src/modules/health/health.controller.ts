import { Controller } from '@nestjs/common';
import { routes, type HealthResponse, type ReadyResponse } from '@aius/contracts';
import { Endpoint } from '../../common/endpoint.decorator.js';
import { HealthService } from './health.service.js';

@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process answers. Touches nothing else. */
  @Endpoint(routes.health)
  live(): HealthResponse {
    return { status: 'ok' };
  }

  /** Readiness: Postgres answers (503 otherwise); Redis is reported, not required. */
  @Endpoint(routes.ready)
  ready(): Promise<ReadyResponse> {
    return this.health.readiness();
  }
}
