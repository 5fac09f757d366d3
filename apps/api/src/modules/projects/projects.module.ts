import { AuditModule } from '../audit/audit.module.js';
import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { ProjectsController } from './projects.controller.js';
import { ProjectsRepository } from './projects.repository.js';
import { ProjectsService } from './projects.service.js';

/** Owns `projects`; membership checks go through ClientsService, a project's artifacts through ArtifactsService. */
@Module({ imports: [ClientsModule, ArtifactsModule, AuditModule], controllers: [ProjectsController], providers: [ProjectsRepository, ProjectsService] })
export class ProjectsModule {}
