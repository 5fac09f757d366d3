import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Arrival, KnownBearer } from './arrival.js';

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
  /** The models an API token may call (spec §12); null or absent: every model. */
  tokenModels?: ReadonlySet<string> | null;
}

/** Whether this caller may call `model` (the id as the client names it, before routing). */
export function mayCallModel(principal: Principal, model: string): boolean {
  return !principal.tokenModels || principal.tokenModels.has(model);
}

/**
 * Verifies one kind of credential. The identity module provides the session one, the tokens
 * module the bearer one; the credential guard only knows these interfaces.
 * Resolve null for a credential that is well-formed but not valid (unknown, expired,
 * revoked); throw only for outages (they become 503).
 */
export interface CredentialVerifier {
  /**
   * `known`: what the arrival step learned about this request's bearer (the verifier's own
   * work, which it may reuse for the same token). A plain value, so a transport without an HTTP
   * request (the run socket) calls the same check.
   */
  verify(credential: string, known?: KnownBearer | null): Promise<Principal | null>;
  /**
   * The check of the bearer the arrival step found on this request, answered in the same tick when
   * what it learned settles it (a warm token the revocation epoch vouches for); undefined whenever
   * it does not, and the caller then awaits `verify`. Never a refusal: every "no" goes through `verify`.
   */
  verifyNow?(known: KnownBearer): Principal | undefined;
}

export const SESSION_VERIFIER = Symbol('SESSION_VERIFIER');
export const BEARER_VERIFIER = Symbol('BEARER_VERIFIER');

/** The authenticated caller of a route whose contract requires a credential. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ arrival: Arrival }>().arrival.principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without a credential requirement');
  return principal;
});

/** What the arrival step learned about this request (e.g. GET /clients's list version read on arrival). */
export const CurrentArrival = createParamDecorator((_: unknown, ctx: ExecutionContext): Arrival => ctx.switchToHttp().getRequest<{ arrival: Arrival }>().arrival);
