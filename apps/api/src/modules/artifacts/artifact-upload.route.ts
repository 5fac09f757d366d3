import { Inject, Injectable } from '@nestjs/common';
import { API_BASE, routes } from '@aius/contracts';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../common/api-error.js';
import { CredentialCheck } from '../../common/credential-check.js';
import type { Principal } from '../../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RateLimitService } from '../rate-limit/rate-limit.service.js';
import { ArtifactsService } from './artifacts.service.js';
import { ARTIFACT_CHUNK_BYTES } from './postgres-blob-store.js';
import { readUploadBody, type UploadBodyLimits } from './upload-body.js';

/** Room on top of the base64 for the other fields and JSON syntax (a path of 1024 escaped characters is 6 KiB). */
const FIELDS_ALLOWANCE = 64 * 1024;

/**
 * POST /artifacts, registered on Fastify in a scope of its own, because it is the one route
 * whose body may be larger than the instance's 1 MiB limit and the one whose body is not
 * parsed whole: its scope replaces the JSON parser with `readUploadBody`, which decodes and
 * hashes `content_base64` as it streams. Every other route keeps the instance's parser and limit.
 *
 * Order: the credential (401s) and the token's quota (429) before a byte of the body is read,
 * then a Content-Length past the limit (413) before reading it, then the body.
 * Errors reach Nest's exception filter through Fastify's error handler, as for ChatRoute.
 */
@Injectable()
export class ArtifactUploadRoute {
  private readonly limits: UploadBodyLimits;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly credentials: CredentialCheck,
    private readonly rateLimits: RateLimitService,
    private readonly artifacts: ArtifactsService,
  ) {
    const maxBytes = config.ARTIFACT_MAX_BYTES;
    this.limits = { maxBytes, maxBodyBytes: Math.ceil(maxBytes / 3) * 4 + FIELDS_ALLOWANCE, chunkBytes: ARTIFACT_CHUNK_BYTES };
  }

  install(fastify: FastifyInstance): void {
    const def = routes.uploadArtifact;
    void fastify.register(async (scope) => {
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', (_request: FastifyRequest, payload: Readable) => readUploadBody(payload, this.limits));
      scope.route({
        method: def.method,
        url: `${API_BASE}${def.path}`,
        bodyLimit: this.limits.maxBodyBytes,
        preParsing: async (request, reply, payload) => {
          const principal = await this.credentials.authenticate(def, request);
          if (principal.tokenId !== undefined) {
            const headers = await this.rateLimits.consumeToken(principal.tokenId, request.arrival);
            if (headers) void reply.headers(headers);
          }
          if (Number(request.headers['content-length']) > this.limits.maxBodyBytes) throw new ApiError('PAYLOAD_TOO_LARGE');
          return payload;
        },
        handler: async (request, reply) => {
          if (!isUploadBody(request.body)) throw new ApiError('INVALID_REQUEST', { message: 'Body must be a JSON object' });
          await reply.send(await this.artifacts.upload(principalOf(request).userId, request.body));
        },
      });
    });
  }
}

function principalOf(request: FastifyRequest): Principal {
  const principal = request.arrival.principal;
  if (!principal) throw new Error('upload handler reached without a credential');
  return principal;
}

/** Only this scope's parser produces one: any other content type left something else (or nothing). */
function isUploadBody(body: unknown): body is Awaited<ReturnType<typeof readUploadBody>> {
  return typeof body === 'object' && body !== null && 'sha256' in body && 'chunks' in body;
}
