import { Injectable } from '@nestjs/common';
import { ID_PREFIX, type Role } from '@aius/contracts';
import { type Prisma, PrismaService } from '@aius/db';
import { randomId } from '../../common/random-id.js';

/** A client the user belongs to, with their role in it. */
export interface MembershipRow {
  id: string;
  name: string;
  role: Role;
  created_at: Date;
}

/** A member of a client (who they are comes from identity). */
export interface MemberRow {
  user_id: string;
  role: Role;
  created_at: Date;
}

/** Does the client exist ($2), and what is the user's ($1) role in it: one row, or none for no such client. */
const STANDING = `SELECT m.role::text AS role
  FROM clients c LEFT JOIN memberships m ON m.client_id = c.id AND m.user_id = $1
  WHERE c.id = $2`;

/** The only code that touches `clients` and `memberships`. */
@Injectable()
export class ClientsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The user's clients, oldest first. GET /clients is the benchmark's authenticated route, so this
   * goes to node-postgres directly as a prepared statement (parsed once per connection), skipping
   * Prisma's query layer.
   */
  async listForUser(userId: string): Promise<MembershipRow[]> {
    const { rows } = await this.prisma.pool.query<MembershipRow>({
      name: 'clients.list',
      text: `SELECT c.id, c.name, m.role::text AS role, c.created_at
        FROM memberships m JOIN clients c ON c.id = m.client_id
        WHERE m.user_id = $1
        ORDER BY c.created_at, c.id`,
      values: [userId],
    });
    return rows;
  }

  /** A new client with `ownerId` as its owner, inside the caller's transaction. */
  async insertWithOwner(tx: Prisma.TransactionClient, ownerId: string, name: string): Promise<{ id: string; name: string; createdAt: Date }> {
    const client = await tx.client.create({
      data: { id: randomId(ID_PREFIX.client), name, memberships: { create: { userId: ownerId, role: 'owner' } } },
    });
    return { id: client.id, name: client.name, createdAt: client.createdAt };
  }

  /** Whether the client exists and the user's role in it; `lock` holds the client row for the rest of the transaction. */
  async standing(userId: string, clientId: string, db?: Prisma.TransactionClient, lock = false): Promise<{ exists: boolean; role: Role | null }> {
    // Outside a transaction this is the membership check of every client-scoped read: a prepared
    // statement on node-postgres, skipping Prisma's query layer (see listForUser).
    const rows =
      db === undefined
        ? (await this.prisma.pool.query<{ role: Role | null }>({ name: 'clients.standing', text: STANDING, values: [userId, clientId] })).rows
        : await db.$queryRawUnsafe<{ role: Role | null }[]>(lock ? `${STANDING} FOR UPDATE OF c` : STANDING, userId, clientId);
    return rows.length === 0 ? { exists: false, role: null } : { exists: true, role: rows[0]!.role };
  }

  /** The user's membership in `preferred` if they hold one, else their oldest; null when they belong to none. */
  async firstMembership(userId: string, preferred: string | null): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<{ client_id: string }[]>`
      SELECT client_id FROM memberships
      WHERE user_id = ${userId}
      ORDER BY (client_id = ${preferred}) DESC NULLS LAST, created_at, client_id
      LIMIT 1`;
    return rows[0]?.client_id ?? null;
  }

  members(clientId: string): Promise<MemberRow[]> {
    return this.prisma.$queryRaw<MemberRow[]>`
      SELECT user_id, role::text AS role, created_at FROM memberships
      WHERE client_id = ${clientId}
      ORDER BY created_at, user_id`;
  }

  async member(tx: Prisma.TransactionClient, clientId: string, userId: string): Promise<MemberRow | null> {
    const rows = await tx.$queryRaw<MemberRow[]>`
      SELECT user_id, role::text AS role, created_at FROM memberships WHERE client_id = ${clientId} AND user_id = ${userId}`;
    return rows[0] ?? null;
  }

  /** The new membership's creation time, or null when the user already is a member. */
  async insertMember(clientId: string, userId: string, role: Role, db: Prisma.TransactionClient = this.prisma): Promise<Date | null> {
    const inserted = await db.$queryRaw<{ created_at: Date }[]>`
      INSERT INTO memberships (client_id, user_id, role) VALUES (${clientId}, ${userId}, ${role}::"role")
      ON CONFLICT DO NOTHING
      RETURNING created_at`;
    return inserted[0]?.created_at ?? null;
  }

  async setRole(tx: Prisma.TransactionClient, clientId: string, userId: string, role: Role): Promise<void> {
    await tx.membership.update({ where: { clientId_userId: { clientId, userId } }, data: { role } });
  }

  async deleteMember(tx: Prisma.TransactionClient, clientId: string, userId: string): Promise<void> {
    await tx.membership.delete({ where: { clientId_userId: { clientId, userId } } });
  }

  async rename(tx: Prisma.TransactionClient, clientId: string, name: string): Promise<{ createdAt: Date }> {
    return tx.client.update({ where: { id: clientId }, data: { name }, select: { createdAt: true } });
  }

  /** Its memberships, projects, tokens and artifacts go with it (ON DELETE CASCADE). */
  async delete(tx: Prisma.TransactionClient, clientId: string): Promise<void> {
    await tx.client.delete({ where: { id: clientId } });
  }

  memberIds(tx: Prisma.TransactionClient, clientId: string): Promise<string[]> {
    return tx.membership.findMany({ where: { clientId }, select: { userId: true } }).then((rows) => rows.map((r) => r.userId));
  }

  /** Whether some member of the client belongs to no other client. */
  async isSomeonesOnlyClient(tx: Prisma.TransactionClient, clientId: string): Promise<boolean> {
    const rows = await tx.$queryRaw<unknown[]>`
      SELECT 1 FROM memberships m
      WHERE m.client_id = ${clientId}
        AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = m.user_id AND o.client_id <> ${clientId})
      LIMIT 1`;
    return rows.length > 0;
  }

  countOwners(tx: Prisma.TransactionClient, clientId: string): Promise<number> {
    return tx.membership.count({ where: { clientId, role: 'owner' } });
  }
}
