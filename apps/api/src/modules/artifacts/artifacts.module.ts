import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { ArtifactUploadRoute } from './artifact-upload.route.js';
import { ArtifactsController } from './artifacts.controller.js';
import { ArtifactsRepository } from './artifacts.repository.js';
import { ArtifactsService } from './artifacts.service.js';
import { BlobStores } from './blob-stores.js';

/** Owns `artifacts`, `artifact_blobs` and `artifact_blob_chunks` (and ARTIFACT_DIR); membership through ClientsService. */
@Module({
  imports: [ClientsModule],
  controllers: [ArtifactsController],
  providers: [ArtifactsService, ArtifactsRepository, BlobStores, ArtifactUploadRoute],
  exports: [ArtifactsService, ArtifactUploadRoute],
})
export class ArtifactsModule {}
