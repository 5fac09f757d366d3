import { z } from 'zod';
import { idField, orgIdField } from './fields.js';

/** `from`/`to` accept unix seconds or a `YYYY-MM-DD` day (UTC); `to` is inclusive. */
export const dayOrSeconds = z
  .string({ error: 'INVALID_REQUEST' })
  .regex(/^(\d{1,12}|\d{4}-\d{2}-\d{2})$/, 'INVALID_REQUEST')
  .optional();

export const usageQuery = z.object({
  org_id: orgIdField,
  from: dayOrSeconds,
  to: dayOrSeconds,
  project_id: idField('NOT_FOUND').optional(),
});
export type UsageQuery = z.infer<typeof usageQuery>;

// `failed_requests`: calls answered with a status of 400 or more (upstream errors, unreachable upstream), included in `requests`.
const counts = { requests: z.number().int(), failed_requests: z.number().int(), prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() };

export const usageResponse = z.object({
  totals: z.object(counts),
  daily: z.array(z.object({ date: z.string(), requests: z.number().int(), failed_requests: z.number().int(), total_tokens: z.number().int() })),
  by_model: z.array(z.object({ model: z.string(), ...counts })),
});
export type UsageResponse = z.infer<typeof usageResponse>;
