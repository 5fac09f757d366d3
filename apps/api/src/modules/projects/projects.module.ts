import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { ProjectsController } from './projects.controller.js';
import { ProjectsService } from './projects.service.js';

/** Owns `projects`; membership checks go through ClientsService. */
@Module({ imports: [ClientsModule], controllers: [ProjectsController], providers: [ProjectsService] })
export class ProjectsModule {}
