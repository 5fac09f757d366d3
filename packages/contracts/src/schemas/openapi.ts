import { z } from 'zod';

/** GET /openapi.json: the document's outline; everything below its top-level keys passes through. */
export const openApiDocumentResponse = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
export type OpenApiDocumentResponse = z.infer<typeof openApiDocumentResponse>;
