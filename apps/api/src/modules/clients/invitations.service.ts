import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ID_PREFIX, type AcceptInvitationResponse, type CreateInvitationRequest, type Invitation, type InvitationPreview } from '@aius/contracts';
import { PrismaService, type Prisma } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { hashLinkToken, mintLinkToken } from '../../common/link-token.js';
import { randomId } from '../../common/random-id.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { unixSeconds } from '../../common/unix-time.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AuditLog } from '../audit/audit-log.js';
import { UsersService } from '../identity/users.service.js';
import { MailOutbox } from '../mail/mail-outbox.js';
import { ClientListCache } from './client-list.cache.js';
import { ClientsRepository } from './clients.repository.js';
import { ClientsService } from './clients.service.js';
import { InvitationsRepository, type InvitationRow } from './invitations.repository.js';

const MAIL_KIND = 'invitation';
const DAY_MS = 86_400_000;

const toWire = (r: InvitationRow): Invitation => ({
  id: r.id,
  email: r.email,
  role: r.role,
  expires_at: unixSeconds(r.expiresAt),
  created_at: unixSeconds(r.createdAt),
  invited_by: r.invitedBy,
});

const OTHER_EMAIL = { message: 'This invitation is for another email address' } as const;

/**
 * Invitations by email (spec §13). Owners and admins invite (only an owner may invite an owner);
 * the mail leaves through the outbox, and its link's secret is minted when it is sent (only the
 * SHA-256 is kept, and a retried mail's new link voids the undelivered one). A newer invitation
 * of the same email to the same client voids the older. The link opens the dashboard's accept
 * page (secret in the fragment: a scanner's GET uses nothing up); accepting takes a session of
 * the invited email, or happens inside registration through the link.
 */
@Injectable()
export class InvitationsService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly invitations: InvitationsRepository,
    private readonly memberships: ClientsRepository,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly lists: ClientListCache,
    private readonly mail: MailOutbox,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.mail.handle(MAIL_KIND, ({ payload }) => this.renderMail((payload as { invitation_id?: string }).invitation_id ?? ''));
  }

  async create(userId: string, clientId: string, input: CreateInvitationRequest, origin: RequestOrigin): Promise<Invitation> {
    const callerRole = await this.clients.assertMember(userId, clientId, 'admin');
    if (input.role === 'owner' && callerRole !== 'owner') throw new ApiError('NO_ACCESS');
    const existing = await this.users.findByEmail(input.email);
    if (existing && (await this.clients.standing(existing.id, clientId)).role) throw new ApiError('ALREADY_MEMBER');
    const expiresAt = new Date(Date.now() + this.config.INVITATION_TTL_DAYS * DAY_MS);
    const row = await this.prisma.$transaction(async (tx) => {
      const row = await this.invitations.replace(tx, { id: randomId(ID_PREFIX.invitation), clientId, email: input.email, role: input.role, invitedBy: userId, expiresAt });
      await this.mail.enqueue({ kind: MAIL_KIND, recipient: input.email, payload: { invitation_id: row.id }, expiresAt }, tx);
      return row;
    });
    this.mail.kick();
    this.audit.record({ action: 'invitation.created', actorId: userId, clientId, targetType: 'invitation', targetId: row.id, ...origin });
    return toWire(row);
  }

  async list(userId: string, clientId: string): Promise<{ data: Invitation[] }> {
    await this.clients.assertMember(userId, clientId, 'admin');
    return { data: (await this.invitations.listPending(clientId)).map(toWire) };
  }

  async cancel(userId: string, clientId: string, id: string, origin: RequestOrigin): Promise<{ id: string; cancelled: true }> {
    await this.clients.assertMember(userId, clientId, 'admin');
    if (!(await this.invitations.cancel(clientId, id))) throw new ApiError('NOT_FOUND');
    this.audit.record({ action: 'invitation.cancelled', actorId: userId, clientId, targetType: 'invitation', targetId: id, ...origin });
    return { id, cancelled: true };
  }

  /** What the accept page shows; uses nothing up. */
  async inspect(token: string): Promise<InvitationPreview> {
    const row = await this.invitations.findPendingByHash(hashLinkToken(token));
    if (!row) throw new ApiError('INVALID_INVITATION');
    return { client_name: row.clientName, email: row.email, role: row.role, expires_at: unixSeconds(row.expiresAt), has_account: (await this.users.findByEmail(row.email)) !== null };
  }

  /** Signed in as the invited email: the membership (an existing one is kept as it is). */
  async accept(userId: string, token: string, origin: RequestOrigin): Promise<AcceptInvitationResponse> {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError('UNAUTHENTICATED');
    const joined = await this.prisma.$transaction((tx) => this.acceptWithin(tx, { id: user.id, email: user.email }, token));
    await this.lists.changed(userId);
    this.audit.record({ action: 'invitation.accepted', actorId: userId, clientId: joined.clientId, targetType: 'invitation', targetId: joined.invitationId, ...origin });
    return joined.summary;
  }

  /**
   * Inside `tx` (registration's, or accept's own): the invitation is used up and the membership
   * made together. INVALID_INVITATION when the link is not a pending invitation, NO_ACCESS when it
   * is for another email. Call `ClientListCache.changed(user)` once `tx` has committed.
   */
  async acceptWithin(tx: Prisma.TransactionClient, user: { id: string; email: string }, token: string): Promise<{ clientId: string; invitationId: string; summary: AcceptInvitationResponse }> {
    const row = await this.invitations.findPendingByHash(hashLinkToken(token), tx);
    if (!row) throw new ApiError('INVALID_INVITATION');
    if (row.email !== user.email) throw new ApiError('NO_ACCESS', OTHER_EMAIL);
    if (!(await this.invitations.markAccepted(tx, row.id))) throw new ApiError('INVALID_INVITATION');
    const createdAt = await this.memberships.insertMember(row.clientId, user.id, row.role, tx);
    const standing = createdAt ? { role: row.role, createdAt } : await this.memberships.member(tx, row.clientId, user.id).then((m) => ({ role: m!.role, createdAt: m!.created_at }));
    return {
      clientId: row.clientId,
      invitationId: row.id,
      summary: { id: row.clientId, name: row.clientName, role: standing.role, created_at: unixSeconds(standing.createdAt) },
    };
  }

  /** Run by the outbox's sender: a cancelled, accepted or expired invitation sends nothing. */
  private async renderMail(id: string): Promise<{ subject: string; text: string } | null> {
    const row = await this.invitations.findPending(id);
    if (!row) return null;
    const { token, hash } = mintLinkToken();
    await this.invitations.setTokenHash(row.id, hash);
    const inviter = row.invitedBy ? (await this.users.findById(row.invitedBy))?.email : undefined;
    const link = `${this.config.PUBLIC_URL}/invitations/accept#token=${token}`;
    const join = this.config.SIGNUP_MODE === 'closed' ? 'Sign in with this email address to accept.' : 'Sign in with this email address to accept, or create an account for it through the link.';
    return {
      subject: `You are invited to ${row.clientName} on AIUS`,
      text: [
        `${inviter ?? 'Someone'} invited ${row.email} to the organization "${row.clientName}" as ${row.role}, on`,
        this.config.PUBLIC_URL,
        '',
        'Open this link to accept:',
        link,
        '',
        join,
        `The invitation expires on ${row.expiresAt.toUTCString()}. If you did not expect it, ignore this mail.`,
      ].join('\n'),
    };
  }
}
