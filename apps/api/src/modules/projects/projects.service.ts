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
import { Prisma, PrismaService, type Project as ProjectRow } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { randomId } from '../../common/random-id.js';
import { ArtifactsService } from '../artifacts/artifacts.service.js';
import { toUnixSeconds } from '../clients/client-records.js';
import { ClientsService } from '../clients/clients.service.js';
import { firstFreeForkName } from './fork-name.js';

const toProject = (p: ProjectRow): Project => ({
  id: p.id,
  org_id: p.clientId,
  name: p.name,
  description: p.description,
  forked_from_id: p.forkedFromId,
  forked_from_name: p.forkedFromName,
  created_at: toUnixSeconds(p.createdAt),
  updated_at: toUnixSeconds(p.updatedAt),
});

/** Serializes the forks and renames of one client's projects until the transaction ends. */
async function lockForks(tx: Prisma.TransactionClient, clientId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`aius:fork:${clientId}`}, 0))`;
}

/** Projects live in a client; every action first checks the caller's membership (and for a delete, role) there. */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clients: ClientsService,
    private readonly artifacts: ArtifactsService,
  ) {}

  async listProjects(userId: string, clientId: string): Promise<ProjectListResponse> {
    await this.clients.assertMember(userId, clientId);
    const rows = await this.prisma.project.findMany({ where: { clientId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return { data: rows.map(toProject) };
  }

  async createProject(userId: string, input: CreateProjectRequest): Promise<Project> {
    await this.clients.assertMember(userId, input.org_id);
    const row = await this.prisma.project.create({
      data: { id: randomId(ID_PREFIX.project), clientId: input.org_id, name: input.name, description: input.description ?? null },
    });
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
        if (data.name === undefined || data.name === current.name) return tx.project.update({ where: { id }, data });
        // A rename reaches the forks' copy of the name; under the fork lock, so a fork being
        // made meanwhile copies either the old name and is renamed here, or the new one.
        await lockForks(tx, current.clientId);
        const row = await tx.project.update({ where: { id }, data });
        await tx.project.updateMany({ where: { forkedFromId: id }, data: { forkedFromName: row.name } });
        return row;
      })
      .catch((error: unknown) => {
        // Deleted between the access check and the update.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') throw new ApiError('NOT_FOUND');
        throw error;
      });
    return toProject(updated);
  }

  /** Owner or admin of the project's client only (spec §6): a plain member creates, renames and forks. */
  async deleteProject(userId: string, id: string): Promise<DeleteProjectResponse> {
    const project = await this.accessible(userId, id, 'admin');
    const deleted = await this.prisma.project.deleteMany({ where: { id } });
    if (deleted.count === 0) throw new ApiError('NOT_FOUND');
    // Its artifact versions went with it (ON DELETE CASCADE); now the bytes only they used.
    await this.artifacts.collectGarbage(project.clientId);
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
      await lockForks(tx, original.clientId);
      const source = await tx.project.findUnique({ where: { id } });
      if (!source) throw new ApiError('NOT_FOUND');
      // starts_with, not left(name, prefix.length): JavaScript lengths count UTF-16 units and
      // Postgres counts characters, so a name with an emoji would miss its earlier forks.
      const siblings = await tx.$queryRaw<{ name: string }[]>`
        SELECT name FROM projects WHERE client_id = ${source.clientId} AND starts_with(name, ${`${source.name} (fork`})`;
      const fork = await tx.project.create({
        data: {
          id: randomId(ID_PREFIX.project),
          clientId: source.clientId,
          name: firstFreeForkName(source.name, new Set(siblings.map((s) => s.name))),
          description: source.description,
          forkedFromId: source.id,
          forkedFromName: source.name,
        },
      });
      await this.artifacts.copyToFork(tx, source.id, fork.id);
      return fork;
    });
    return toProject(row);
  }

  /** The project, or NOT_FOUND (no such id) / NO_ACCESS (its client is not the caller's, or the caller is below `minRole` there). */
  private async accessible(userId: string, id: string, minRole: Role = 'member'): Promise<ProjectRow> {
    const project = await this.prisma.project.findUnique({ where: { id } });
    if (!project) throw new ApiError('NOT_FOUND');
    await this.clients.assertMember(userId, project.clientId, minRole);
    return project;
  }
}
