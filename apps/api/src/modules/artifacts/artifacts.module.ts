import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ProjectsModule } from '../projects/projects.module.js';
import { ArtifactUploadRoute } from './artifact-upload.route.js';
import { ArtifactsController } from './artifacts.controller.js';
import { ArtifactsRepository } from './artifacts.repository.js';
import { ArtifactsService } from './artifacts.service.js';
import { BlobStores } from './blob-stores.js';

/**
 * Owns `artifacts`, `artifact_blobs` and `artifact_blob_chunks` (and ARTIFACT_DIR). Sits above
 * the modules of what an artifact names: membership through ClientsService, its project through
 * ProjectsService (and ProjectContents for forks and deletions), its uploader through UsersService.
 */
@Module({
  imports: [IdentityModule, ClientsModule, ProjectsModule],
  controllers: [ArtifactsController],
  providers: [ArtifactsService, ArtifactsRepository, BlobStores, ArtifactUploadRoute],
  exports: [ArtifactsService, ArtifactUploadRoute],
})
export class ArtifactsModule {}
