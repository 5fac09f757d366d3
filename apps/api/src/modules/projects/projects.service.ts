import { Injectable } from '@nestjs/common';
import {
  ID_PREFIX,
  type CreateProjectRequest,
  type DeleteProjectResponse,
  type Project,
  type ProjectListResponse,
  type Role,
  type UpdateProjectRequest,
} from '@aius/contracts';
import { PrismaService, type Project as ProjectRow } from '@aius/db';
import { ProjectContents } from './project-contents.js';
import { ProjectsRepository, type ForeignConnection } from './projects.repository.js';
import { ApiError } from '../../common/api-error.js';
import { asContractError } from '../../common/database-refusals.js';
import { randomId } from '../../common/random-id.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { AuditLog } from '../audit/audit-log.js';
import { ClientsService } from '../clients/clients.service.js';
import { firstFreeForkName } from './fork-name.js';
import { unixSeconds } from '../../common/unix-time.js';

const toProject = (p: ProjectRow): Project => ({
  id: p.id,
  org_id: p.clientId,
  name: p.name,
  description: p.description,
  forked_from_id: p.forkedFromId,
  forked_from_name: p.forkedFromName,
  created_at: unixSeconds(p.createdAt),
  updated_at: unixSeconds(p.updatedAt),
});

/** Projects live in a client; every action first checks the caller's membership (and for a delete, role) there. */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsRepository,
    private readonly clients: ClientsService,
    private readonly contents: ProjectContents,
    private readonly audit: AuditLog,
  ) {}

  /** For the modules that keep things in projects: the project's client, or null (see ProjectsRepository.clientOf for `lock`). */
  clientOf(projectId: string, lock?: ForeignConnection): Promise<string | null> {
    return this.projects.clientOf(projectId, lock);
  }

  async listProjects(userId: string, clientId: string): Promise<ProjectListResponse> {
    await this.clients.assertMember(userId, clientId);
    const rows = await this.projects.listInClient(clientId);
    return { data: rows.map(toProject) };
  }

  async createProject(userId: string, input: CreateProjectRequest): Promise<Project> {
    await this.clients.assertMember(userId, input.org_id);
    const row = await this.projects.insert({ id: randomId(ID_PREFIX.project), clientId: input.org_id, name: input.name, description: input.description ?? null });
    return toProject(row);
  }

  async getProject(userId: string, id: string): Promise<Project> {
    return toProject(await this.accessible(userId, id));
  }

  async updateProject(userId: string, id: string, input: UpdateProjectRequest): Promise<Project> {
    const current = await this.accessible(userId, id);
    const data: { name?: string; description?: string | null } = {};
    if (input.name !== undefined) data.name = input.name;
    if (input.description !== undefined) data.description = input.description;
    if (Object.keys(data).length === 0) return toProject(current);
    const updated = await this.prisma
      .$transaction(async (tx) => {
        if (data.name === undefined || data.name === current.name) return this.projects.update(id, data, tx);
        // A rename reaches the forks' copy of the name; under the fork lock, so a fork being
        // made meanwhile copies either the old name and is renamed here, or the new one.
        await this.projects.lockForks(tx, current.clientId);
        const row = await this.projects.update(id, data, tx);
        await this.projects.renameForkOrigin(tx, id, row.name);
        return row;
      })
      // Deleted between the access check and the update: NOT_FOUND.
      .catch(asContractError());
    return toProject(updated);
  }

  /** Owner or admin of the project's client only (spec §6): a plain member creates, renames and forks. */
  async deleteProject(userId: string, id: string, origin: RequestOrigin): Promise<DeleteProjectResponse> {
    const project = await this.accessible(userId, id, 'admin');
    if (!(await this.projects.delete(id))) throw new ApiError('NOT_FOUND');
    this.audit.record({ action: 'project.deleted', actorId: userId, clientId: project.clientId, targetType: 'project', targetId: id, ...origin });
    // Its artifact versions went with it (ON DELETE CASCADE); now the bytes only they used.
    await this.contents.deleted(project.clientId);
    return { deleted: true };
  }

  /**
   * A point-in-time copy in the same client, artifacts included (sharing their stored bytes),
   * keeping its origin's name (`forked_from_name`). Forks and renames of one client take a
   * transaction-scoped advisory lock, so concurrent forks see each other's names and never
   * pick the same one, and a rename cannot miss a fork being made.
   */
  async forkProject(userId: string, id: string): Promise<Project> {
    const original = await this.accessible(userId, id);
    const row = await this.prisma.$transaction(async (tx) => {
      await this.projects.lockForks(tx, original.clientId);
      const source = await this.projects.find(id, tx);
      if (!source) throw new ApiError('NOT_FOUND');
      const taken = await this.projects.forkNamesOf(tx, source.clientId, source.name);
      const fork = await this.projects.insert(
        {
          id: randomId(ID_PREFIX.project),
          clientId: source.clientId,
          name: firstFreeForkName(source.name, taken),
          description: source.description,
          forkedFromId: source.id,
          forkedFromName: source.name,
        },
        tx,
      );
      await this.contents.forked(tx, source.id, fork.id);
      return fork;
    });
    return toProject(row);
  }

  /** The project, or NOT_FOUND (no such id) / NO_ACCESS (its client is not the caller's, or the caller is below `minRole` there). */
  private async accessible(userId: string, id: string, minRole: Role = 'member'): Promise<ProjectRow> {
    const project = await this.projects.find(id);
    if (!project) throw new ApiError('NOT_FOUND');
    await this.clients.assertMember(userId, project.clientId, minRole);
    return project;
  }
}
