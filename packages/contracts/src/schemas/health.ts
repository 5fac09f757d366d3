import { z } from 'zod';

export const healthResponse = z.object({ status: z.literal('ok') });
export type HealthResponse = z.infer<typeof healthResponse>;

export const readyResponse = z.object({
  status: z.literal('ok'),
  postgres: z.literal('ok'),
  /** `memory` when no Redis is configured or it is unreachable (per-instance fallback). */
  redis: z.enum(['ok', 'memory']),
});
export type ReadyResponse = z.infer<typeof readyResponse>;
