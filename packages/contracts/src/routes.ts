import { type z } from 'zod';
import type { ErrorKey } from './errors.js';
import * as auth from './schemas/auth.js';
import * as clients from './schemas/clients.js';
import * as health from './schemas/health.js';
import * as openapi from './schemas/openapi.js';
import * as projects from './schemas/projects.js';
import * as proxy from './schemas/proxy.js';
import * as tokens from './schemas/tokens.js';
import * as twoFactor from './schemas/two-factor.js';
import * as usage from './schemas/usage.js';

/** The public base paths (spec §1). Route paths below are relative to either. */
export const API_BASE = '/api/v1';
export const API_BASE_ALIAS = '/v1';
export const SESSION_COOKIE = '__Host-aius_session';

/**
 * Which credential a route takes (spec §3):
 * - none: public; session: the session cookie only; bearer: an `aius_…` token only;
 * - account: the session cookie or a bearer token.
 */
export type RouteAuth = 'none' | 'session' | 'bearer' | 'account';

/** Which rate-limit policy a route counts against (spec §7). */
export type RatePolicy = 'credential' | 'default' | 'none';

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Fastify/Nest syntax (`:id`) relative to API_BASE. */
  path: string;
  auth: RouteAuth;
  rate: RatePolicy;
  /** Also counts against the calling API token's own quota (the chat proxy), on top of `rate`. */
  tokenQuota?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Omitted for routes whose body is passed through untouched (chat proxy). */
  response?: z.ZodType;
  /** Where the spec gives a code another status on this route than the registry's default. */
  statusOverrides?: Partial<Record<ErrorKey, number>>;
  /**
   * The rules the route's service enforces (EMAIL_ALREADY_EXISTS, NO_ACCESS, …). Every other
   * error it can answer follows from `auth`, `rate` and the schemas (see openapi/route-errors.ts).
   * Checked: a test app fails its test file when it answers an error its route does not document.
   */
  errors?: readonly ErrorKey[];
}

const route = <const R extends RouteDef>(r: R) => r;

export const routes = {
  health: route({ method: 'GET', path: '/health', auth: 'none', rate: 'none', response: health.healthResponse }),
  ready: route({ method: 'GET', path: '/ready', auth: 'none', rate: 'none', response: health.readyResponse, errors: ['ACCOUNT_SERVICE_UNAVAILABLE'] }),

  register: route({ method: 'POST', path: '/register', auth: 'none', rate: 'credential', body: auth.registerRequest, response: auth.registerResponse, errors: ['EMAIL_ALREADY_EXISTS', 'REGISTRATION_FAILED', 'ACCOUNT_SERVICE_UNAVAILABLE'] }),
  login: route({ method: 'POST', path: '/login', auth: 'none', rate: 'credential', body: auth.loginRequest, response: auth.loginResponse, errors: ['INVALID_CREDENTIALS', 'ACCOUNT_SERVICE_UNAVAILABLE'] }),
  twoFactorLogin: route({ method: 'POST', path: '/2fa/login', auth: 'none', rate: 'credential', body: auth.twoFactorLoginRequest, response: auth.sessionResponse, statusOverrides: { INVALID_CODE: 401 }, errors: ['INVALID_CHALLENGE', 'INVALID_CODE', 'ACCOUNT_SERVICE_UNAVAILABLE'] }),
  me: route({ method: 'GET', path: '/me', auth: 'account', rate: 'default', response: auth.meResponse }),
  logout: route({ method: 'POST', path: '/logout', auth: 'session', rate: 'default', response: auth.logoutResponse }),

  twoFactorSetup: route({ method: 'POST', path: '/2fa/setup', auth: 'account', rate: 'default', response: twoFactor.twoFactorSetupResponse, errors: ['2FA_ALREADY_ENABLED'] }),
  twoFactorEnable: route({ method: 'POST', path: '/2fa/enable', auth: 'account', rate: 'default', body: twoFactor.twoFactorCodeRequest, response: twoFactor.twoFactorEnableResponse, errors: ['2FA_NOT_STARTED', 'INVALID_CODE', '2FA_ALREADY_ENABLED'] }),
  twoFactorDisable: route({ method: 'POST', path: '/2fa/disable', auth: 'account', rate: 'default', body: twoFactor.twoFactorCodeRequest, response: twoFactor.twoFactorDisableResponse, errors: ['2FA_NOT_ENABLED', 'INVALID_CODE'] }),
  twoFactorRecoveryCodes: route({ method: 'POST', path: '/2fa/recovery-codes', auth: 'account', rate: 'default', body: twoFactor.twoFactorCodeRequest, response: twoFactor.recoveryCodesResponse, errors: ['2FA_NOT_ENABLED', 'INVALID_CODE'] }),
  twoFactorStatus: route({ method: 'GET', path: '/2fa/status', auth: 'account', rate: 'default', response: twoFactor.twoFactorStatusResponse }),

  createToken: route({ method: 'POST', path: '/tokens', auth: 'session', rate: 'default', body: tokens.createTokenRequest, response: tokens.createTokenResponse, errors: ['NO_ACCESS'] }),
  listTokens: route({ method: 'GET', path: '/tokens', auth: 'session', rate: 'default', response: tokens.tokenListResponse }),
  revokeToken: route({ method: 'DELETE', path: '/tokens/:id', auth: 'session', rate: 'default', params: tokens.tokenIdParams, response: tokens.revokeTokenResponse, errors: ['TOKEN_NOT_FOUND'] }),

  listClients: route({ method: 'GET', path: '/clients', auth: 'account', rate: 'default', response: clients.clientListResponse }),
  createClient: route({ method: 'POST', path: '/clients', auth: 'account', rate: 'default', body: clients.createClientRequest, response: clients.createClientResponse }),
  listMembers: route({ method: 'GET', path: '/clients/:id/members', auth: 'account', rate: 'default', params: clients.clientIdParams, response: clients.memberListResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  addMember: route({ method: 'POST', path: '/clients/:id/members', auth: 'account', rate: 'default', params: clients.clientIdParams, body: clients.addMemberRequest, response: clients.member, errors: ['NOT_FOUND', 'NO_ACCESS', 'USER_NOT_FOUND', 'ALREADY_MEMBER'] }),
  updateMember: route({ method: 'PATCH', path: '/clients/:id/members/:user_id', auth: 'account', rate: 'default', params: clients.memberParams, body: clients.updateMemberRequest, response: clients.member, errors: ['NOT_FOUND', 'NO_ACCESS', 'LAST_OWNER'] }),
  removeMember: route({ method: 'DELETE', path: '/clients/:id/members/:user_id', auth: 'account', rate: 'default', params: clients.memberParams, response: clients.removeMemberResponse, errors: ['NOT_FOUND', 'NO_ACCESS', 'LAST_OWNER'] }),

  listProjects: route({ method: 'GET', path: '/projects', auth: 'account', rate: 'default', query: projects.listProjectsQuery, response: projects.projectListResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  createProject: route({ method: 'POST', path: '/projects', auth: 'account', rate: 'default', body: projects.createProjectRequest, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  getProject: route({ method: 'GET', path: '/projects/:id', auth: 'account', rate: 'default', params: projects.projectIdParams, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  updateProject: route({ method: 'PATCH', path: '/projects/:id', auth: 'account', rate: 'default', params: projects.projectIdParams, body: projects.updateProjectRequest, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  deleteProject: route({ method: 'DELETE', path: '/projects/:id', auth: 'account', rate: 'default', params: projects.projectIdParams, response: projects.deleteProjectResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  forkProject: route({ method: 'POST', path: '/projects/:id/fork', auth: 'account', rate: 'default', params: projects.projectIdParams, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),

  listModels: route({ method: 'GET', path: '/models', auth: 'bearer', rate: 'default', response: proxy.modelListResponse, errors: ['UPSTREAM_UNAVAILABLE'] }),
  chatCompletions: route({ method: 'POST', path: '/chat/completions', auth: 'bearer', rate: 'default', tokenQuota: true, body: proxy.chatCompletionRequest, errors: ['NOT_FOUND', 'UPSTREAM_UNAVAILABLE'] }),
  usage: route({ method: 'GET', path: '/usage', auth: 'account', rate: 'default', query: usage.usageQuery, response: usage.usageResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),

  openApi: route({ method: 'GET', path: '/openapi.json', auth: 'none', rate: 'default', response: openapi.openApiDocumentResponse }),
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof routes;
export type Routes = typeof routes;

type Out<S> = S extends z.ZodType ? z.output<S> : never;
type In<S> = S extends z.ZodType ? z.input<S> : never;
export type RouteBody<N extends RouteName> = In<Routes[N] extends { body: infer B } ? B : never>;
export type RouteQuery<N extends RouteName> = In<Routes[N] extends { query: infer Q } ? Q : never>;
export type RouteResponse<N extends RouteName> = Out<Routes[N] extends { response: infer R } ? R : never>;

/** `/projects/:id` + `{id:'proj_x'}` → `/projects/proj_x` (URL-encoded). */
export function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/:([a-z_]+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`missing path parameter ${key}`);
    return encodeURIComponent(String(value));
  });
}
