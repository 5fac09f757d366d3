import { Inject, Injectable, Optional } from '@nestjs/common';
import { SESSION_COOKIE, type RouteDef } from '@aius/contracts';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ApiError } from './api-error.js';
import type { Arrival, KnownBearer } from './arrival.js';
import { BEARER_VERIFIER, SESSION_VERIFIER, type CredentialVerifier, type Principal } from './principal.js';

/** What the check reads of an HTTP request (Fastify's request has it). */
export interface CredentialRequest {
  readonly method: string;
  readonly headers: { readonly authorization?: string; readonly cookie?: string; readonly origin?: string };
  readonly arrival: Arrival;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Enforces the route table's `auth` column (spec §3), for the Nest guard and for the routes
 * served straight from Fastify alike:
 * - session: the `__Host-aius_session` cookie only (token endpoints, logout);
 * - bearer: `Authorization: Bearer aius_…` only (models, chat);
 * - account: either; with neither present the caller gets UNAUTHENTICATED.
 * A credential that is present but bad always gets its gateway string, whichever route.
 * Cookie-authenticated writes carrying a foreign Origin are refused (CSRF).
 */
@Injectable()
export class CredentialCheck {
  private readonly ownOrigins: Set<string>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(SESSION_VERIFIER) private readonly sessions?: CredentialVerifier,
    @Optional() @Inject(BEARER_VERIFIER) private readonly bearers?: CredentialVerifier,
  ) {
    this.ownOrigins = new Set(config.APP_ORIGINS.map((o) => new URL(o).origin));
  }

  /** The caller of a route that takes a credential (auth ≠ none); throws the spec's error otherwise. */
  async authenticate(def: RouteDef, request: CredentialRequest): Promise<Principal> {
    const authorization = request.headers.authorization;
    const cookie = readSessionCookie(request);

    let principal: Principal;
    if (def.auth === 'bearer' || (def.auth === 'account' && authorization !== undefined)) {
      principal = await this.viaBearer(authorization, request.arrival.bearer);
    } else if (cookie !== undefined) {
      principal = await this.viaSession(cookie);
      this.refuseCrossSite(request);
    } else {
      throw new ApiError(def.auth === 'session' ? 'NO_SESSION_COOKIE' : 'UNAUTHENTICATED');
    }
    request.arrival.principal = principal;
    return principal;
  }

  /**
   * `authenticate`'s answer in the same tick for a bearer route's warm token (see
   * `CredentialVerifier.verifyNow`); undefined otherwise, and the caller awaits `authenticate`,
   * which decides every other case, refusals included, exactly as before.
   */
  authenticateNow(def: RouteDef, request: CredentialRequest): Principal | undefined {
    // The arrival step took `known` from this request's own Authorization header (a plain
    // `Bearer <token>`, which viaBearer reads as the same token): no second parse of it here.
    const known = request.arrival.bearer;
    if (def.auth !== 'bearer' || known === null || !this.bearers?.verifyNow) return undefined;
    const principal = this.bearers.verifyNow(known);
    if (principal) request.arrival.principal = principal;
    return principal;
  }

  private async viaBearer(header: string | undefined, known: KnownBearer | null): Promise<Principal> {
    if (header === undefined) throw new ApiError('MISSING_BEARER_TOKEN');
    const match = /^\s*(\S+)(?:\s+(.*))?$/.exec(header);
    if (!match || match[1]!.toLowerCase() !== 'bearer') throw new ApiError('INVALID_AUTHORIZATION_HEADER');
    return this.bearer(match[2] ?? '', known);
  }

  /**
   * An API token's caller, whichever transport carried it: the `Authorization` header here,
   * the run socket's `auth` frame (spec §9: "verified exactly as a bearer"). Throws
   * INVALID_BEARER_TOKEN for a blank token, INVALID_TOKEN for a bad or revoked one.
   */
  async bearer(token: string, known: KnownBearer | null = null): Promise<Principal> {
    const trimmed = token.trim();
    if (trimmed === '') throw new ApiError('INVALID_BEARER_TOKEN');
    const principal = this.bearers ? await this.bearers.verify(trimmed, known) : null;
    if (!principal) throw new ApiError('INVALID_TOKEN');
    return principal;
  }

  private async viaSession(cookie: string): Promise<Principal> {
    const principal = cookie && this.sessions ? await this.sessions.verify(cookie) : null;
    if (!principal) throw new ApiError('INVALID_SESSION');
    return principal;
  }

  /** Requests with no Origin (CLI, scripts) pass; browsers always send one on writes. */
  private refuseCrossSite(request: CredentialRequest): void {
    if (SAFE_METHODS.has(request.method)) return;
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (this.ownOrigins.has(origin)) return;
    throw new ApiError('NO_ACCESS', { message: 'Cross-site request refused' });
  }
}

/** The session cookie's value, without a cookie-parsing plugin on the hot path. */
export function readSessionCookie(request: Pick<CredentialRequest, 'headers'>): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return ''; // undecodable: present but invalid
    }
  }
  return undefined;
}
