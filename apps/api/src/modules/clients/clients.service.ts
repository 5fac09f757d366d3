import { Injectable } from '@nestjs/common';
import type { ClientListResponse, CreateClientResponse, Role } from '@aius/contracts';
import type { FastifyRequest } from 'fastify';
import { Prisma, PrismaService } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { UsersService } from '../auth/users.service.js';
import { ClientListCache } from './client-list.cache.js';
import { hasRole, toUnixSeconds } from './client-records.js';
import { createClientWithOwner } from './create-client-with-owner.js';

/** The caller's standing in a client: whether the client exists and the caller's role in it. */
export interface Standing {
  exists: boolean;
  role: Role | null;
}

@Injectable()
export class ClientsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly users: UsersService,
    private readonly cache: ClientListCache,
  ) {}

  /**
   * Every client the user belongs to, with their role, the user's default client first: from ClientListCache when the user's
   * list has not changed, else one indexed query. It is the benchmark's authenticated route,
   * so the query goes to node-postgres directly as a prepared statement (parsed once per
   * connection), skipping Prisma's query layer.
   */
  async listClients(userId: string, request?: FastifyRequest): Promise<ClientListResponse> {
    const local = this.cache.local(userId);
    if (local) return local;
    // Started on arrival for a known bearer; only trusted for the same user.
    const early = request?.earlyUserId === userId ? request.clientListVersion : null;
    const version = await (early ?? this.cache.version(userId));
    const cached = version === null ? undefined : this.cache.get(userId, version);
    if (cached) return cached;
    const { rows } = await this.prisma.pool.query<{ id: string; name: string; role: Role; created_at: Date }>({
      name: 'clients.list',
      // The default client first (spec §11: the CLI uploads to data[0]), then the others by age.
      text: `SELECT c.id, c.name, m.role::text AS role, c.created_at
        FROM memberships m JOIN clients c ON c.id = m.client_id JOIN users u ON u.id = m.user_id
        WHERE m.user_id = $1
        ORDER BY (c.id = u.default_client_id) IS TRUE DESC, c.created_at, c.id`,
      values: [userId],
    });
    const list = { data: rows.map((r) => ({ id: r.id, name: r.name, role: r.role, created_at: toUnixSeconds(r.created_at) })) };
    if (version !== null) this.cache.set(userId, version, list);
    return list;
  }

  async createClient(userId: string, name: string): Promise<CreateClientResponse> {
    const owner = await this.users.findById(userId);
    if (!owner) throw new ApiError('UNAUTHENTICATED'); // the account was deleted under a live credential
    const client = await this.prisma.$transaction((tx) => createClientWithOwner(tx, { ownerId: userId, name }));
    await this.cache.changed(userId);
    return { id: client.id, name: client.name, owner_id: owner.email, created_at: toUnixSeconds(client.createdAt) };
  }

  /**
   * The caller's role in the client, or NOT_FOUND (no such client) / NO_ACCESS (not a
   * member, or below `minRole`). Projects and usage call this before touching a client's data.
   */
  async assertMember(userId: string, clientId: string, minRole: Role = 'member'): Promise<Role> {
    return requireRole(await this.standing(userId, clientId), minRole);
  }

  /** One query: does the client exist, and what is the user's role in it. */
  async standing(userId: string, clientId: string, db: Prisma.TransactionClient = this.prisma, lock = false): Promise<Standing> {
    const rows = await db.$queryRaw<{ role: Role | null }[]>`
      SELECT m.role::text AS role
      FROM clients c LEFT JOIN memberships m ON m.client_id = c.id AND m.user_id = ${userId}
      WHERE c.id = ${clientId}
      ${lock ? Prisma.sql`FOR UPDATE OF c` : Prisma.empty}`;
    return rows.length === 0 ? { exists: false, role: null } : { exists: true, role: rows[0]!.role };
  }

  /**
   * The client a token is minted for when none is named: the user's default client while
   * they still belong to it, else their oldest membership; null when they belong to none.
   */
  async defaultClientOf(userId: string): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<{ client_id: string }[]>`
      SELECT m.client_id
      FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.user_id = ${userId}
      ORDER BY (m.client_id = u.default_client_id) DESC NULLS LAST, m.created_at, m.client_id
      LIMIT 1`;
    return rows[0]?.client_id ?? null;
  }
}

export function requireRole(standing: Standing, minRole: Role): Role {
  if (!standing.exists) throw new ApiError('NOT_FOUND');
  if (!standing.role || !hasRole(standing.role, minRole)) throw new ApiError('NO_ACCESS');
  return standing.role;
}
