import { z } from 'zod';

export const structuredErrorBody = z.object({ detail: z.object({ code: z.string(), message: z.string() }) });
export type StructuredErrorBody = z.infer<typeof structuredErrorBody>;

export const stringErrorBody = z.object({ detail: z.string() });
export type StringErrorBody = z.infer<typeof stringErrorBody>;

export const errorBody = z.union([structuredErrorBody, stringErrorBody]);
export type ErrorBody = z.infer<typeof errorBody>;
