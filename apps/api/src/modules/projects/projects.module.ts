import { AuditModule } from '../audit/audit.module.js';
import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { ProjectContents } from './project-contents.js';
import { ProjectsController } from './projects.controller.js';
import { ProjectsRepository } from './projects.repository.js';
import { ProjectsService } from './projects.service.js';

/**
 * Owns `projects`; membership checks go through ClientsService. What other modules keep in a
 * project (artifacts) follows its forks and deletions through ProjectContents.
 */
@Module({
  imports: [ClientsModule, AuditModule],
  controllers: [ProjectsController],
  providers: [ProjectsRepository, ProjectsService, ProjectContents],
  exports: [ProjectsService, ProjectContents],
})
export class ProjectsModule {}
