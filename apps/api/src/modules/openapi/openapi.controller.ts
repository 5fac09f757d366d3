import { Controller } from '@nestjs/common';
import { routes, type AsyncApiDocumentResponse, type OpenApiDocumentResponse } from '@aius/contracts';
import { asyncApiDocument, openApiDocument } from '@aius/contracts/openapi';
import { Endpoint } from '../../common/endpoint.decorator.js';

/** The API's descriptions generated from the contracts (HTTP in OpenAPI 3.1, the run socket in AsyncAPI 3); built once, at boot. */
@Controller()
export class OpenApiController {
  private readonly document = openApiDocument() as OpenApiDocumentResponse;
  private readonly runSocketDocument = asyncApiDocument() as AsyncApiDocumentResponse;

  @Endpoint(routes.openApi)
  describe(): OpenApiDocumentResponse {
    return this.document;
  }

  @Endpoint(routes.asyncApi)
  describeRunSocket(): AsyncApiDocumentResponse {
    return this.runSocketDocument;
  }
}
