import { Controller } from '@nestjs/common';
import { routes, type OpenApiDocumentResponse } from '@aius/contracts';
import { openApiDocument } from '@aius/contracts/openapi';
import { Endpoint } from '../../common/endpoint.decorator.js';

/** The OpenAPI 3.1 description generated from the contracts; built once, at boot. */
@Controller()
export class OpenApiController {
  private readonly document = openApiDocument() as OpenApiDocumentResponse;

  @Endpoint(routes.openApi)
  describe(): OpenApiDocumentResponse {
    return this.document;
  }
}
