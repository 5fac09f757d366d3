import { z } from 'zod';

export const model = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() });
export type Model = z.infer<typeof model>;

export const modelListResponse = z.object({ object: z.literal('list'), data: z.array(model) });
export type ModelListResponse = z.infer<typeof modelListResponse>;

/**
 * OpenAI Chat Completions request: only what the gateway itself reads is checked;
 * every other field passes through to the upstream untouched (spec §8).
 */
export const chatCompletionRequest = z.looseObject({
  model: z.string({ error: 'INVALID_REQUEST' }).min(1, 'INVALID_REQUEST'),
  messages: z.array(z.unknown(), { error: 'INVALID_REQUEST' }),
  stream: z.boolean({ error: 'INVALID_REQUEST' }).optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** Correlation headers echoed when sent and generated when not (spec §8). */
export const CORRELATION_HEADERS = ['x-aius-session-id', 'x-aius-run-id', 'x-aius-step-run-id'] as const;
export const PROJECT_HEADER = 'x-aius-project-id';
