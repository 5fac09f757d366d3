import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

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
  /**
   * `arrival`: work the verifier's own arrival hook already did for this credential on this
   * request (opaque to everyone else; it may ignore it). A plain value, so a transport without
   * a Fastify request (the run socket) calls the same check.
   */
  verify(credential: string, arrival?: ArrivalWork | null): Promise<Principal | null>;
}

/** What an arrival hook planted for its verifier: only the token it is about is public. */
export interface ArrivalWork {
  readonly token: string;
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
    /** The bearer verifier's arrival work on this request's token (see ArrivalWork). */
    bearerPrefetch: ArrivalWork | null;
  }
}

/** The authenticated caller of a route whose contract requires a credential. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without a credential requirement');
  return principal;
});
