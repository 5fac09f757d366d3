import { z } from 'zod';

/** GET /openapi.json: the document's outline; everything below its top-level keys passes through. */
export const openApiDocumentResponse = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
export type OpenApiDocumentResponse = z.infer<typeof openApiDocumentResponse>;

/** GET /asyncapi.json: the run socket's AsyncAPI 3 document, outline only like the OpenAPI one. */
export const asyncApiDocumentResponse = z.looseObject({
  asyncapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  channels: z.record(z.string(), z.unknown()),
});
export type AsyncApiDocumentResponse = z.infer<typeof asyncApiDocumentResponse>;
