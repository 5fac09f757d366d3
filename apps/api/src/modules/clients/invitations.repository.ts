import { Injectable } from '@nestjs/common';
import type { Role } from '@aius/contracts';
import { PrismaService, type Prisma } from '@aius/db';
import { ExpiredRowsPurges, type ExpiredRowsPurge } from '../../database/expired-rows-purge.js';

export interface InvitationRow {
  id: string;
  clientId: string;
  clientName: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  expiresAt: Date;
  createdAt: Date;
}

const pending = () => ({ acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } });
const SELECT = { id: true, clientId: true, email: true, role: true, invitedBy: true, expiresAt: true, createdAt: true, client: { select: { name: true } } } as const;
type Selected = Prisma.InvitationGetPayload<{ select: typeof SELECT }>;
const toRow = ({ client, ...r }: Selected): InvitationRow => ({ ...r, clientName: client.name });

/** The only code that touches `invitations` (and the purge of expired ones it starts). */
@Injectable()
export class InvitationsRepository {
  readonly purge: ExpiredRowsPurge;

  constructor(
    private readonly prisma: PrismaService,
    purges: ExpiredRowsPurges,
  ) {
    this.purge = purges.for({ table: 'invitations' });
  }

  /** A new invitation of `email` to the client, voiding any still pending for the same pair (a newer one wins). */
  async replace(tx: Prisma.TransactionClient, row: { id: string; clientId: string; email: string; role: Role; invitedBy: string; expiresAt: Date }): Promise<InvitationRow> {
    await tx.invitation.updateMany({ where: { clientId: row.clientId, email: row.email, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    return toRow(await tx.invitation.create({ data: row, select: SELECT }));
  }

  async listPending(clientId: string): Promise<InvitationRow[]> {
    return (await this.prisma.invitation.findMany({ where: { clientId, ...pending() }, select: SELECT, orderBy: { createdAt: 'desc' } })).map(toRow);
  }

  async cancel(clientId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.invitation.updateMany({ where: { id, clientId, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    return count === 1;
  }

  async findPending(id: string): Promise<InvitationRow | null> {
    const row = await this.prisma.invitation.findFirst({ where: { id, ...pending() }, select: SELECT });
    return row ? toRow(row) : null;
  }

  /** The link of the mail being sent; replaces the one of an earlier attempt. */
  async setTokenHash(id: string, tokenHash: string): Promise<void> {
    await this.prisma.invitation.update({ where: { id }, data: { tokenHash } });
  }

  async findPendingByHash(tokenHash: string, db: Prisma.TransactionClient = this.prisma): Promise<InvitationRow | null> {
    const row = await db.invitation.findFirst({ where: { tokenHash, ...pending() }, select: SELECT });
    return row ? toRow(row) : null;
  }

  /** Uses the invitation up, inside `tx`; false when another acceptance won the race. */
  async markAccepted(tx: Prisma.TransactionClient, id: string): Promise<boolean> {
    const { count } = await tx.invitation.updateMany({ where: { id, ...pending() }, data: { acceptedAt: new Date() } });
    return count === 1;
  }
}
