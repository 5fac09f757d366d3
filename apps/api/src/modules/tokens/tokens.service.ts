import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TOKEN_REVOCATION_REASONS, type CreateTokenRequest, type CreateTokenResponse, type RevokeTokenResponse, type TokenListResponse, type TokenRevocationReason } from '@aius/contracts';
import { PrismaService, type Prisma } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { AuditLog } from '../audit/audit-log.js';
import { ClientsService } from '../clients/clients.service.js';
import { MembershipEnd } from '../clients/membership-end.js';
import { BearerVerifier } from './bearer-verifier.js';
import { displayPrefix, generateToken, hashToken } from './token-format.js';
import { TokensRepository } from './tokens.repository.js';
import { unixSeconds, unixSecondsOrNull } from '../../common/unix-time.js';

const reasonOf = (reason: string | null) => TOKEN_REVOCATION_REASONS.find((r) => r === reason) ?? null;

/**
 * API tokens (spec §5). A token is usable only while its user is a member of the client it
 * is bound to: it is minted under the client's membership lock, and revoked in the very
 * transaction that ends the membership (MembershipEnd), then announced like any revoke.
 */
@Injectable()
export class TokensService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tokens: TokensRepository,
    private readonly clients: ClientsService,
    private readonly verifier: BearerVerifier,
    private readonly memberships: MembershipEnd,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.memberships.register(async (tx, { clientId, userIds }) => {
      const revoked = await this.tokens.revokeBoundTo(tx, clientId, userIds, 'membership_ended');
      return () => this.verifier.announceRevocations(revoked);
    });
  }

  /** The secret is returned here once; only its hash and display prefix are stored. */
  async mint(userId: string, input: CreateTokenRequest, origin: RequestOrigin): Promise<CreateTokenResponse> {
    const clientId = input.client_id ? input.client_id : await this.clients.defaultClientOf(userId);
    // An unknown client is answered like a foreign one, so ids cannot be probed.
    if (!clientId) throw new ApiError('NO_ACCESS');
    const token = generateToken();
    // Under the client row's lock, which a membership change also takes: a removal that
    // commits first is seen here, and one that commits after revokes this token too.
    const record = await this.prisma.$transaction(async (tx) => {
      if (!(await this.clients.standing(userId, clientId, tx, true)).role) throw new ApiError('NO_ACCESS');
      const limits = { expiresAt: input.expires_at ? new Date(input.expires_at * 1000) : null, models: input.models ?? null };
      return this.tokens.insert({ userId, clientId, name: input.token_name, tokenHash: hashToken(token), prefix: displayPrefix(token), ...limits }, tx);
    });
    this.audit.record({ action: 'token.created', actorId: userId, clientId: record.clientId, targetType: 'token', targetId: record.id, ...origin });
    return {
      id: record.id,
      token,
      token_name: record.name,
      client_id: record.clientId,
      prefix: record.prefix,
      created_at: unixSeconds(record.createdAt),
      expires_at: unixSecondsOrNull(record.expiresAt),
      models: record.models,
    };
  }

  async list(userId: string): Promise<TokenListResponse> {
    const records = await this.tokens.listForUser(userId);
    return {
      data: records.map((r) => ({
        id: r.id,
        token_name: r.name,
        client_id: r.clientId,
        prefix: r.prefix,
        created_at: unixSeconds(r.createdAt),
        last_used_at: unixSecondsOrNull(r.lastUsedAt),
        revoked_at: unixSecondsOrNull(r.revokedAt),
        revoked_reason: r.revokedAt ? reasonOf(r.revokedReason) : null,
        expires_at: unixSecondsOrNull(r.expiresAt),
        models: r.models,
      })),
    };
  }

  /**
   * Revokes every live token of the user inside `tx`; run the returned announcement once `tx` has
   * committed (it tells every instance, as DELETE /tokens does). For a password reset that asked for it.
   */
  async revokeAllOf(tx: Prisma.TransactionClient, userId: string, reason: TokenRevocationReason = 'password_reset'): Promise<() => Promise<void>> {
    const revoked = await this.tokens.revokeAllOf(tx, userId, reason);
    return () => this.verifier.announceRevocations(revoked);
  }

  /** Idempotent; refused on every instance from the next request on (see BearerVerifier). */
  async revoke(userId: string, id: number, origin: RequestOrigin): Promise<RevokeTokenResponse> {
    const revoked = await this.tokens.revoke(userId, id);
    if (!revoked) throw new ApiError('TOKEN_NOT_FOUND');
    await this.verifier.announceRevocations([revoked]);
    this.audit.record({ action: 'token.revoked', actorId: userId, clientId: revoked.clientId, targetType: 'token', targetId: revoked.id, ...origin });
    return { id: revoked.id, revoked_at: unixSeconds(revoked.revokedAt) };
  }
}
