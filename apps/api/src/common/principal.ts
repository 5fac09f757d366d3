import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is calling, as established by the credential on this request (never by the body). */
export interface Principal {
  userId: string;
  via: 'session' | 'bearer';
  /** Set when via = session. */
  sessionId?: string;
  /** Set when via = bearer. */
  tokenId?: number;
  /** The client an API token was minted for (via = bearer). */
  tokenClientId?: string;
}

/**
 * Verifies one kind of credential. The auth module provides the session one, the tokens
 * module the bearer one; the credential guard only knows these interfaces.
 * Resolve null for a credential that is well-formed but not valid (unknown, expired,
 * revoked); throw only for outages (they become 503).
 */
export interface CredentialVerifier {
  /** `request` lets a verifier use work it started for this request earlier (it may ignore it). */
  verify(credential: string, request?: FastifyRequest): Promise<Principal | null>;
}
export const SESSION_VERIFIER = Symbol('SESSION_VERIFIER');
export const BEARER_VERIFIER = Symbol('BEARER_VERIFIER');

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /**
     * Set on arrival by the bearer verifier when the request carries a token it already knows
     * to be live: a hint, not an authentication (the credential guard still decides), so the
     * per-token quota can be taken in the same Redis round trip as the per-IP one.
     */
    earlyTokenId: number | null;
    /** The user of that token, likewise a hint (for reads a module wants to start on arrival). */
    earlyUserId: string | null;
  }
}

/** The authenticated caller of a route whose contract requires a credential. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without a credential requirement');
  return principal;
});
