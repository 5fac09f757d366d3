import { Controller } from '@nestjs/common';
import {
  routes,
  type CreateProjectRequest,
  type DeleteProjectResponse,
  type ListProjectsQuery,
  type Project,
  type ProjectIdParams,
  type ProjectListResponse,
  type UpdateProjectRequest,
} from '@aius/contracts';
import { ContractBody, ContractParams, ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { ProjectsService } from './projects.service.js';

@Controller()
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Endpoint(routes.listProjects)
  list(@CurrentPrincipal() p: Principal, @ContractQuery(routes.listProjects) query: ListProjectsQuery): Promise<ProjectListResponse> {
    return this.projects.listProjects(p.userId, query.org_id);
  }

  @Endpoint(routes.createProject)
  create(@CurrentPrincipal() p: Principal, @ContractBody(routes.createProject) body: CreateProjectRequest): Promise<Project> {
    return this.projects.createProject(p.userId, body);
  }

  @Endpoint(routes.getProject)
  get(@CurrentPrincipal() p: Principal, @ContractParams(routes.getProject) params: ProjectIdParams): Promise<Project> {
    return this.projects.getProject(p.userId, params.id);
  }

  @Endpoint(routes.updateProject)
  update(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.updateProject) params: ProjectIdParams,
    @ContractBody(routes.updateProject) body: UpdateProjectRequest,
  ): Promise<Project> {
    return this.projects.updateProject(p.userId, params.id, body);
  }

  @Endpoint(routes.deleteProject)
  remove(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.deleteProject) params: ProjectIdParams,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<DeleteProjectResponse> {
    return this.projects.deleteProject(p.userId, params.id, origin);
  }

  @Endpoint(routes.forkProject)
  fork(@CurrentPrincipal() p: Principal, @ContractParams(routes.forkProject) params: ProjectIdParams): Promise<Project> {
    return this.projects.forkProject(p.userId, params.id);
  }
}
