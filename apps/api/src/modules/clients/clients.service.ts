import { Injectable } from '@nestjs/common';
import type { AuditLogQuery, AuditLogResponse, ClientListResponse, ClientSummary, CreateClientResponse, DeleteClientResponse, Role } from '@aius/contracts';
import { PrismaService, type Prisma } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { AuditLog } from '../audit/audit-log.js';
import { UsersService } from '../identity/users.service.js';
import { ClientListCache, type ListVersion } from './client-list.cache.js';
import { ClientsRepository } from './clients.repository.js';
import { hasRole } from './client-records.js';
import { MembershipEnd } from './membership-end.js';
import { MembershipCache } from './membership.cache.js';
import { unixSeconds } from '../../common/unix-time.js';

/** The caller's standing in a client: whether the client exists and the caller's role in it. */
export interface Standing {
  exists: boolean;
  role: Role | null;
}

@Injectable()
export class ClientsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clients: ClientsRepository,
    private readonly users: UsersService,
    private readonly cache: ClientListCache,
    private readonly audit: AuditLog,
    private readonly endings: MembershipEnd,
    private readonly roles: MembershipCache,
  ) {}

  /**
   * Every client the user belongs to, with their role, the user's default client first (spec §11:
   * the CLI uploads to data[0]), then the others by age: from ClientListCache when the user's list
   * has not changed, else one indexed query (and the user's default client, read beside it).
   * `early`: the list version read as the request arrived, for this very user, if any.
   */
  async listClients(userId: string, early: Promise<ListVersion | null> | null = null): Promise<ClientListResponse> {
    const local = this.cache.local(userId);
    if (local) return local;
    const version = await (early ?? this.cache.version(userId));
    const cached = version === null ? undefined : this.cache.get(userId, version);
    if (cached) return cached;
    const [rows, preferred] = await Promise.all([this.clients.listForUser(userId), this.users.defaultClientOf(userId)]);
    const first = rows.findIndex((r) => r.id === preferred);
    const ordered = first > 0 ? [rows[first]!, ...rows.slice(0, first), ...rows.slice(first + 1)] : rows;
    const list = { data: ordered.map((r) => ({ id: r.id, name: r.name, role: r.role, created_at: unixSeconds(r.created_at) })) };
    if (version !== null) this.cache.set(userId, version, list);
    return list;
  }

  async createClient(userId: string, name: string, origin: RequestOrigin): Promise<CreateClientResponse> {
    const owner = await this.users.findById(userId);
    if (!owner) throw new ApiError('UNAUTHENTICATED'); // the account was deleted under a live credential
    const client = await this.prisma.$transaction((tx) => this.clients.insertWithOwner(tx, userId, name));
    await this.cache.changed(userId);
    this.audit.record({ action: 'client.created', actorId: userId, clientId: client.id, targetType: 'client', targetId: client.id, ...origin });
    return { id: client.id, name: client.name, owner_id: owner.email, created_at: unixSeconds(client.createdAt) };
  }

  /**
   * A new client owned by `ownerId`, inside the caller's transaction: registration creates the
   * user's default client in the same transaction as the user (spec §4: all or nothing).
   */
  createOwned(tx: Prisma.TransactionClient, ownerId: string, name: string): Promise<{ id: string; name: string; createdAt: Date }> {
    return this.clients.insertWithOwner(tx, ownerId, name);
  }

  /** Owners only (spec §13); every member's client list shows the new name from their next call on. */
  async renameClient(userId: string, clientId: string, name: string, origin: RequestOrigin): Promise<ClientSummary> {
    const { createdAt, memberIds } = await this.prisma.$transaction(async (tx) => {
      requireRole(await this.standing(userId, clientId, tx, true), 'owner');
      const { createdAt } = await this.clients.rename(tx, clientId, name);
      return { createdAt, memberIds: await this.clients.memberIds(tx, clientId) };
    });
    await this.cache.changed(...memberIds);
    this.audit.record({ action: 'client.renamed', actorId: userId, clientId, targetType: 'client', targetId: clientId, ...origin });
    return { id: clientId, name, role: 'owner', created_at: unixSeconds(createdAt) };
  }

  /**
   * Owners only; refused with LAST_CLIENT while it is some member's only client (everyone keeps
   * at least one: registration gives one, and token minting and the CLI fall back to it). Under
   * the client row's lock, in one transaction: every member's rights that hang off a membership
   * end as on removal (their tokens for it are revoked and announced to every instance before
   * this answers), then the client with its projects, artifacts and memberships. Usage and the
   * audit log keep their rows (they have no foreign key), so its history stays readable.
   */
  async deleteClient(userId: string, clientId: string, origin: RequestOrigin): Promise<DeleteClientResponse> {
    const { memberIds, announce } = await this.prisma.$transaction(async (tx) => {
      requireRole(await this.standing(userId, clientId, tx, true), 'owner');
      if (await this.clients.isSomeonesOnlyClient(tx, clientId)) throw new ApiError('LAST_CLIENT');
      const memberIds = await this.clients.memberIds(tx, clientId);
      const announce = await this.endings.ended(tx, { clientId, userIds: memberIds });
      await this.clients.delete(tx, clientId);
      return { memberIds, announce };
    });
    await Promise.all([this.cache.changed(...memberIds), announce()]);
    this.audit.record({ action: 'client.deleted', actorId: userId, clientId, targetType: 'client', targetId: clientId, ...origin });
    return { deleted: true };
  }

  /** The client's audit log: its owners and admins only (spec §13). */
  async auditLog(userId: string, clientId: string, query: AuditLogQuery): Promise<AuditLogResponse> {
    await this.assertMember(userId, clientId, 'admin');
    return this.audit.page({ clientId }, query);
  }

  /**
   * The caller's role in the client, or NOT_FOUND (no such client) / NO_ACCESS (not a
   * member, or below `minRole`). Projects and usage call this before touching a client's data.
   * A busy instance answers a member from MembershipCache (no Postgres query) until a membership
   * change is announced; every change is announced before it returns.
   */
  async assertMember(userId: string, clientId: string, minRole: Role = 'member'): Promise<Role> {
    return requireRole(await this.roles.standing(userId, clientId, () => this.standing(userId, clientId)), minRole);
  }

  /** One query: does the client exist, and what is the user's role in it (`lock`: hold the client row for the transaction). */
  standing(userId: string, clientId: string, db?: Prisma.TransactionClient, lock = false): Promise<Standing> {
    return this.clients.standing(userId, clientId, db, lock);
  }

  /**
   * The client a token is minted for when none is named: the user's default client while
   * they still belong to it, else their oldest membership; null when they belong to none.
   */
  async defaultClientOf(userId: string): Promise<string | null> {
    return this.clients.firstMembership(userId, await this.users.defaultClientOf(userId));
  }
}

export function requireRole(standing: Standing, minRole: Role): Role {
  if (!standing.exists) throw new ApiError('NOT_FOUND');
  if (!standing.role || !hasRole(standing.role, minRole)) throw new ApiError('NO_ACCESS');
  return standing.role;
}
