import { Controller, Res } from '@nestjs/common';
import {
  ARTIFACT_CONTENT_HEADERS,
  routes,
  type ArtifactDetail,
  type ArtifactIdParams,
  type ArtifactListResponse,
  type ListArtifactsQuery,
} from '@aius/contracts';
import type { FastifyReply } from 'fastify';
import { ContractParams, ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { ArtifactsService } from './artifacts.service.js';
import { attachmentDisposition } from './content-type.js';

/** The read side of §11; uploads are ArtifactUploadRoute's. */
@Controller()
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Endpoint(routes.listArtifacts)
  list(@CurrentPrincipal() p: Principal, @ContractQuery(routes.listArtifacts) query: ListArtifactsQuery): Promise<ArtifactListResponse> {
    return this.artifacts.list(p.userId, query);
  }

  @Endpoint(routes.getArtifact)
  get(@CurrentPrincipal() p: Principal, @ContractParams(routes.getArtifact) params: ArtifactIdParams): Promise<ArtifactDetail> {
    return this.artifacts.get(p.userId, params.id);
  }

  /** The exact bytes, streamed, always as a sandboxed attachment (the headers are the API's own, whatever sits in front). */
  @Endpoint(routes.artifactContent)
  async content(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.artifactContent) params: ArtifactIdParams,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { record, body } = await this.artifacts.content(p.userId, params.id);
    await reply
      .headers({
        ...ARTIFACT_CONTENT_HEADERS,
        'content-type': record.contentType,
        'content-length': String(record.size),
        'content-disposition': attachmentDisposition(record.path),
        etag: `"${record.sha256}"`,
      })
      .send(body);
  }
}
