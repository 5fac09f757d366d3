import { Controller } from '@nestjs/common';
import { routes, type ReadyResponse } from '@aius/contracts';
import { Endpoint } from '../../common/endpoint.decorator.js';
import { HealthService } from './health.service.js';

/** Readiness. Liveness (GET /health) is served by LivenessRoute, outside Nest's router. */
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Readiness: Postgres answers (503 otherwise); Redis is reported, not required. */
  @Endpoint(routes.ready)
  ready(): Promise<ReadyResponse> {
    return this.health.readiness();
  }
}
