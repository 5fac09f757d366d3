import { Injectable } from '@nestjs/common';
import type { CreateTokenRequest, CreateTokenResponse, RevokeTokenResponse, TokenListResponse } from '@aius/contracts';
import { ApiError } from '../../common/api-error.js';
import { toUnixSeconds } from '../clients/client-records.js';
import { ClientsService } from '../clients/clients.service.js';
import { BearerVerifier } from './bearer-verifier.js';
import { displayPrefix, generateToken, hashToken } from './token-format.js';
import { TokensRepository } from './tokens.repository.js';

const orNull = (date: Date | null) => (date ? toUnixSeconds(date) : null);

@Injectable()
export class TokensService {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly clients: ClientsService,
    private readonly verifier: BearerVerifier,
  ) {}

  /** The secret is returned here once; only its hash and display prefix are stored. */
  async mint(userId: string, input: CreateTokenRequest): Promise<CreateTokenResponse> {
    const clientId = input.client_id ? input.client_id : await this.clients.defaultClientOf(userId);
    // An unknown client is answered like a foreign one, so ids cannot be probed.
    if (!clientId || !(await this.clients.standing(userId, clientId)).role) throw new ApiError('NO_ACCESS');
    const token = generateToken();
    const record = await this.tokens.insert({
      userId,
      clientId,
      name: input.token_name,
      tokenHash: hashToken(token),
      prefix: displayPrefix(token),
    });
    return {
      id: record.id,
      token,
      token_name: record.name,
      client_id: record.clientId,
      prefix: record.prefix,
      created_at: toUnixSeconds(record.createdAt),
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
        created_at: toUnixSeconds(r.createdAt),
        last_used_at: orNull(r.lastUsedAt),
        revoked_at: orNull(r.revokedAt),
      })),
    };
  }

  /** Idempotent; refused on every instance from the next request on (see BearerVerifier). */
  async revoke(userId: string, id: number): Promise<RevokeTokenResponse> {
    const revoked = await this.tokens.revoke(userId, id);
    if (!revoked) throw new ApiError('TOKEN_NOT_FOUND');
    await this.verifier.announceRevocation(revoked.tokenHash, revoked.id);
    return { id: revoked.id, revoked_at: toUnixSeconds(revoked.revokedAt) };
  }
}
