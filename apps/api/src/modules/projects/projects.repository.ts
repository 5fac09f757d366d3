import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma, type Project } from '@aius/db';
import type pg from 'pg';

/** A node-postgres connection inside another module's transaction (an artifact upload). */
export type ForeignConnection = Pick<pg.PoolClient, 'query'>;

/** The only code that touches `projects`. */
@Injectable()
export class ProjectsRepository {
  constructor(private readonly prisma: PrismaService) {}

  listInClient(clientId: string): Promise<Project[]> {
    return this.prisma.project.findMany({ where: { clientId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  insert(
    data: { id: string; clientId: string; name: string; description: string | null; forkedFromId?: string; forkedFromName?: string },
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<Project> {
    return db.project.create({ data });
  }

  find(id: string, db: Prisma.TransactionClient = this.prisma): Promise<Project | null> {
    return db.project.findUnique({ where: { id } });
  }

  /**
   * The project's client, or null when there is no such project. With `lock`, read on that
   * connection under a key-share lock: a concurrent delete of the project waits for the
   * caller's transaction (and then takes what it wrote with it, by ON DELETE CASCADE).
   */
  async clientOf(id: string, lock?: ForeignConnection): Promise<string | null> {
    const rows = lock
      ? (await lock.query<{ client_id: string }>('SELECT client_id FROM projects WHERE id = $1 FOR KEY SHARE', [id])).rows
      : await this.prisma.$queryRaw<{ client_id: string }[]>`SELECT client_id FROM projects WHERE id = ${id}`;
    return rows[0]?.client_id ?? null;
  }

  /** Throws the `missing` refusal (P2025) when the project is gone. */
  update(id: string, data: { name?: string; description?: string | null }, db: Prisma.TransactionClient = this.prisma): Promise<Project> {
    return db.project.update({ where: { id }, data });
  }

  /** The forks of `id` keep their copy of its name (`forked_from_name`) in step with a rename. */
  async renameForkOrigin(tx: Prisma.TransactionClient, id: string, name: string): Promise<void> {
    await tx.project.updateMany({ where: { forkedFromId: id }, data: { forkedFromName: name } });
  }

  /** True when a row was deleted. */
  async delete(id: string): Promise<boolean> {
    return (await this.prisma.project.deleteMany({ where: { id } })).count > 0;
  }

  /** Serializes the forks and renames of one client's projects until the transaction ends (each sees the names the others took). */
  async lockForks(tx: Prisma.TransactionClient, clientId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`aius:fork:${clientId}`}, 0))`;
  }

  /** The client's project names that could collide with a fork of `name`. */
  async forkNamesOf(tx: Prisma.TransactionClient, clientId: string, name: string): Promise<Set<string>> {
    // starts_with, not left(name, prefix.length): JavaScript lengths count UTF-16 units and
    // Postgres counts characters, so a name with an emoji would miss its earlier forks.
    const rows = await tx.$queryRaw<{ name: string }[]>`
      SELECT name FROM projects WHERE client_id = ${clientId} AND starts_with(name, ${`${name} (fork`})`;
    return new Set(rows.map((r) => r.name));
  }
}
