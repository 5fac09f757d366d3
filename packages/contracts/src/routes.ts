import { type z } from 'zod';
import type { ErrorKey } from './errors.js';
import * as account from './schemas/account.js';
import * as admin from './schemas/admin.js';
import * as agents from './schemas/agents.js';
import * as artifacts from './schemas/artifacts.js';
import * as audit from './schemas/audit.js';
import * as auth from './schemas/auth.js';
import * as billing from './schemas/billing.js';
import * as clients from './schemas/clients.js';
import * as health from './schemas/health.js';
import * as invitations from './schemas/invitations.js';
import * as openapi from './schemas/openapi.js';
import * as projects from './schemas/projects.js';
import * as proxy from './schemas/proxy.js';
import * as runs from './schemas/runs.js';
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

/**
 * Which rate-limit policy a route counts against (spec §7). `token`: a call with an API token
 * counts against that token's quota (RATE_LIMIT_TOKEN_PER_MINUTE) and not the per-IP one, so
 * a CLI pushing hundreds of files does not use up its machine's IP budget; a call without
 * one (session cookie, or no credential) counts per IP like `default`.
 */
export type RatePolicy = 'credential' | 'default' | 'token' | 'none';

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify/Nest syntax (`:id`) relative to API_BASE. */
  path: string;
  auth: RouteAuth;
  rate: RatePolicy;
  /** Also counts against the calling API token's own quota (the chat proxy), on top of `rate`. */
  tokenQuota?: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The request headers the route reads (an object keyed by lower-case names), parsed like the body. */
  headers?: z.ZodType;
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
  /** The route answers an upgrade (101) to this protocol, described beside the OpenAPI document (asyncapi.json). */
  upgrade?: 'websocket';
  /** Largest request body in bytes; DEFAULT_BODY_LIMIT when omitted. Over it: 413 PAYLOAD_TOO_LARGE. */
  bodyLimit?: number;
}

/** The request-body limit of every route that does not set its own `bodyLimit`. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const route = <const R extends RouteDef>(r: R) => r;

export const routes = {
  health: route({ method: 'GET', path: '/health', auth: 'none', rate: 'none', response: health.healthResponse }),
  ready: route({ method: 'GET', path: '/ready', auth: 'none', rate: 'none', response: health.readyResponse, errors: ['ACCOUNT_SERVICE_UNAVAILABLE', 'SHUTTING_DOWN'] }),

  register: route({ method: 'POST', path: '/register', auth: 'none', rate: 'credential', body: auth.registerRequest, response: auth.registerResponse, errors: ['EMAIL_ALREADY_EXISTS', 'REGISTRATION_FAILED', 'ACCOUNT_SERVICE_UNAVAILABLE', 'SIGNUP_DISABLED', 'INVALID_INVITATION', 'NO_ACCESS'] }),
  login: route({ method: 'POST', path: '/login', auth: 'none', rate: 'credential', body: auth.loginRequest, response: auth.loginResponse, errors: ['INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'ACCOUNT_SERVICE_UNAVAILABLE'] }),
  twoFactorLogin: route({ method: 'POST', path: '/2fa/login', auth: 'none', rate: 'credential', body: auth.twoFactorLoginRequest, response: auth.sessionResponse, statusOverrides: { INVALID_CODE: 401 }, errors: ['INVALID_CHALLENGE', 'INVALID_CODE', 'ACCOUNT_DISABLED', 'ACCOUNT_SERVICE_UNAVAILABLE'] }),
  me: route({ method: 'GET', path: '/me', auth: 'account', rate: 'default', response: auth.meResponse }),
  logout: route({ method: 'POST', path: '/logout', auth: 'session', rate: 'default', response: auth.logoutResponse }),

  // Account lifecycle (spec §13). Password routes count as credential calls (§7); the change takes
  // the session cookie only (a leaked API token must not change the password).
  instanceInfo: route({ method: 'GET', path: '/instance', auth: 'none', rate: 'default', response: account.instanceInfoResponse }),
  changePassword: route({ method: 'POST', path: '/password/change', auth: 'session', rate: 'credential', body: account.changePasswordRequest, response: account.changePasswordResponse, errors: ['INVALID_CREDENTIALS'] }),
  forgotPassword: route({ method: 'POST', path: '/password/forgot', auth: 'none', rate: 'credential', body: account.forgotPasswordRequest, response: account.forgotPasswordResponse, errors: ['ACCOUNT_SERVICE_UNAVAILABLE'] }),
  resetPassword: route({ method: 'POST', path: '/password/reset', auth: 'none', rate: 'credential', body: account.resetPasswordRequest, response: account.resetPasswordResponse, errors: ['INVALID_RESET_TOKEN', 'ACCOUNT_SERVICE_UNAVAILABLE'] }),
  // Sessions (spec §13): the session cookie only, like the other account-security changes.
  listSessions: route({ method: 'GET', path: '/sessions', auth: 'session', rate: 'default', response: account.sessionListResponse }),
  endOtherSessions: route({ method: 'POST', path: '/sessions/end-others', auth: 'session', rate: 'default', response: account.endOtherSessionsResponse }),
  endSession: route({ method: 'DELETE', path: '/sessions/:id', auth: 'session', rate: 'default', params: account.sessionIdParams, response: account.endSessionResponse, errors: ['NOT_FOUND'] }),

  // Session only (spec §4): a leaked API token must not turn 2FA on or off or replace the recovery codes.
  twoFactorSetup: route({ method: 'POST', path: '/2fa/setup', auth: 'session', rate: 'default', response: twoFactor.twoFactorSetupResponse, errors: ['2FA_ALREADY_ENABLED'] }),
  twoFactorEnable: route({ method: 'POST', path: '/2fa/enable', auth: 'session', rate: 'default', body: twoFactor.twoFactorCodeRequest, response: twoFactor.twoFactorEnableResponse, errors: ['2FA_NOT_STARTED', 'INVALID_CODE', '2FA_ALREADY_ENABLED'] }),
  twoFactorDisable: route({ method: 'POST', path: '/2fa/disable', auth: 'session', rate: 'default', body: twoFactor.twoFactorCodeRequest, response: twoFactor.twoFactorDisableResponse, errors: ['2FA_NOT_ENABLED', 'INVALID_CODE'] }),
  twoFactorRecoveryCodes: route({ method: 'POST', path: '/2fa/recovery-codes', auth: 'session', rate: 'default', body: twoFactor.twoFactorCodeRequest, response: twoFactor.recoveryCodesResponse, errors: ['2FA_NOT_ENABLED', 'INVALID_CODE'] }),
  twoFactorStatus: route({ method: 'GET', path: '/2fa/status', auth: 'account', rate: 'default', response: twoFactor.twoFactorStatusResponse }),

  createToken: route({ method: 'POST', path: '/tokens', auth: 'session', rate: 'default', body: tokens.createTokenRequest, response: tokens.createTokenResponse, errors: ['NO_ACCESS'] }),
  listTokens: route({ method: 'GET', path: '/tokens', auth: 'session', rate: 'default', response: tokens.tokenListResponse }),
  revokeToken: route({ method: 'DELETE', path: '/tokens/:id', auth: 'session', rate: 'default', params: tokens.tokenIdParams, response: tokens.revokeTokenResponse, errors: ['TOKEN_NOT_FOUND'] }),

  listClients: route({ method: 'GET', path: '/clients', auth: 'account', rate: 'default', response: clients.clientListResponse }),
  createClient: route({ method: 'POST', path: '/clients', auth: 'account', rate: 'default', body: clients.createClientRequest, response: clients.createClientResponse }),
  updateClient: route({ method: 'PATCH', path: '/clients/:id', auth: 'account', rate: 'default', params: clients.clientIdParams, body: clients.updateClientRequest, response: clients.clientSummary, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  deleteClient: route({ method: 'DELETE', path: '/clients/:id', auth: 'account', rate: 'default', params: clients.clientIdParams, response: clients.deleteClientResponse, errors: ['NOT_FOUND', 'NO_ACCESS', 'LAST_CLIENT'] }),
  listMembers: route({ method: 'GET', path: '/clients/:id/members', auth: 'account', rate: 'default', params: clients.clientIdParams, response: clients.memberListResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  addMember: route({ method: 'POST', path: '/clients/:id/members', auth: 'account', rate: 'default', params: clients.clientIdParams, body: clients.addMemberRequest, response: clients.member, errors: ['NOT_FOUND', 'NO_ACCESS', 'USER_NOT_FOUND', 'ALREADY_MEMBER'] }),
  updateMember: route({ method: 'PATCH', path: '/clients/:id/members/:user_id', auth: 'account', rate: 'default', params: clients.memberParams, body: clients.updateMemberRequest, response: clients.member, errors: ['NOT_FOUND', 'NO_ACCESS', 'LAST_OWNER'] }),
  removeMember: route({ method: 'DELETE', path: '/clients/:id/members/:user_id', auth: 'account', rate: 'default', params: clients.memberParams, response: clients.removeMemberResponse, errors: ['NOT_FOUND', 'NO_ACCESS', 'LAST_OWNER'] }),
  // The audit log (spec §13): a client's events for its owners and admins; a user's own below.
  clientAuditLog: route({ method: 'GET', path: '/clients/:id/audit-log', auth: 'account', rate: 'default', params: clients.clientIdParams, query: audit.auditLogQuery, response: audit.auditLogResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  myAuditLog: route({ method: 'GET', path: '/me/audit-log', auth: 'account', rate: 'default', query: audit.auditLogQuery, response: audit.auditLogResponse }),

  // Invitations (spec §13): owners and admins invite; the invited email accepts with the mailed link.
  createInvitation: route({ method: 'POST', path: '/clients/:id/invitations', auth: 'account', rate: 'default', params: clients.clientIdParams, body: invitations.createInvitationRequest, response: invitations.invitation, errors: ['NOT_FOUND', 'NO_ACCESS', 'ALREADY_MEMBER'] }),
  listInvitations: route({ method: 'GET', path: '/clients/:id/invitations', auth: 'account', rate: 'default', params: clients.clientIdParams, response: invitations.invitationListResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  cancelInvitation: route({ method: 'DELETE', path: '/clients/:id/invitations/:invitation_id', auth: 'account', rate: 'default', params: invitations.invitationParams, response: invitations.cancelInvitationResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  inspectInvitation: route({ method: 'POST', path: '/invitations/inspect', auth: 'none', rate: 'credential', body: invitations.invitationTokenRequest, response: invitations.invitationPreview, errors: ['INVALID_INVITATION'] }),
  acceptInvitation: route({ method: 'POST', path: '/invitations/accept', auth: 'session', rate: 'credential', body: invitations.invitationTokenRequest, response: invitations.acceptInvitationResponse, errors: ['INVALID_INVITATION', 'NO_ACCESS'] }),

  listProjects: route({ method: 'GET', path: '/projects', auth: 'account', rate: 'default', query: projects.listProjectsQuery, response: projects.projectListResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  createProject: route({ method: 'POST', path: '/projects', auth: 'account', rate: 'default', body: projects.createProjectRequest, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  getProject: route({ method: 'GET', path: '/projects/:id', auth: 'account', rate: 'default', params: projects.projectIdParams, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  updateProject: route({ method: 'PATCH', path: '/projects/:id', auth: 'account', rate: 'default', params: projects.projectIdParams, body: projects.updateProjectRequest, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  deleteProject: route({ method: 'DELETE', path: '/projects/:id', auth: 'account', rate: 'default', params: projects.projectIdParams, response: projects.deleteProjectResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  forkProject: route({ method: 'POST', path: '/projects/:id/fork', auth: 'account', rate: 'default', params: projects.projectIdParams, response: projects.project, errors: ['NOT_FOUND', 'NO_ACCESS'] }),

  // The dashboard's list for a token's model allowlist (spec §12): GET /models takes a bearer only (spec §3).
  tokenModelChoices: route({ method: 'GET', path: '/tokens/models', auth: 'session', rate: 'default', response: proxy.modelListResponse }),
  listModels: route({ method: 'GET', path: '/models', auth: 'bearer', rate: 'default', response: proxy.modelListResponse, errors: ['UPSTREAM_UNAVAILABLE'] }),
  chatCompletions: route({ method: 'POST', path: '/chat/completions', auth: 'bearer', rate: 'default', tokenQuota: true, body: proxy.chatCompletionRequest, errors: ['NOT_FOUND', 'MODEL_NOT_ALLOWED', 'INSUFFICIENT_CREDITS', 'UPSTREAM_UNAVAILABLE'] }),
  usage: route({ method: 'GET', path: '/usage', auth: 'account', rate: 'default', query: usage.usageQuery, response: usage.usageResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),

  // Uploads count against the calling token's quota instead of the per-IP one (see RouteDef.rate).
  uploadArtifact: route({ method: 'POST', path: '/artifacts', auth: 'account', rate: 'token', body: artifacts.uploadArtifactRequest, response: artifacts.artifact, errors: ['MISSING_ORG_ID', 'NOT_FOUND', 'NO_ACCESS', 'PAYLOAD_TOO_LARGE'] }),
  listArtifacts: route({ method: 'GET', path: '/artifacts', auth: 'account', rate: 'default', query: artifacts.listArtifactsQuery, response: artifacts.artifactListResponse, errors: ['MISSING_ORG_ID', 'NOT_FOUND', 'NO_ACCESS'] }),
  getArtifact: route({ method: 'GET', path: '/artifacts/:id', auth: 'account', rate: 'default', params: artifacts.artifactIdParams, response: artifacts.artifactDetail, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  artifactContent: route({ method: 'GET', path: '/artifacts/:id/content', auth: 'account', rate: 'default', params: artifacts.artifactIdParams, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  // The run loop's WebSocket (spec §9): the upgrade counts against the per-IP limit; the bearer
  // comes in the first frame (so `auth` is none here), each upstream call takes the token's quota.
  // A plain GET without an upgrade gets the unknown-route answer.
  runSocket: route({ method: 'GET', path: '/runs/ws', auth: 'none', rate: 'default', upgrade: 'websocket', errors: ['ROUTE_NOT_FOUND'] }),
  listRuns: route({ method: 'GET', path: '/runs', auth: 'account', rate: 'default', query: runs.listRunsQuery, response: runs.runListResponse, errors: ['MISSING_ORG_ID', 'NOT_FOUND', 'NO_ACCESS'] }),
  getRun: route({ method: 'GET', path: '/runs/:id', auth: 'account', rate: 'default', params: runs.runIdParams, response: runs.runDetail, errors: ['NOT_FOUND', 'NO_ACCESS'] }),

  // Agent configuration (spec §10), instance admins only.
  putPrompt: route({ method: 'POST', path: '/admin/prompts', auth: 'bearer', rate: 'default', body: agents.putPromptRequest, response: agents.versionedResponse, errors: ['NO_ACCESS'] }),
  putTool: route({ method: 'POST', path: '/admin/tools', auth: 'bearer', rate: 'default', body: agents.putToolRequest, response: agents.versionedResponse, errors: ['NO_ACCESS'] }),
  putAgent: route({ method: 'POST', path: '/admin/agents', auth: 'bearer', rate: 'default', body: agents.putAgentRequest, response: agents.versionedResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  getAgent: route({ method: 'GET', path: '/admin/agents/:name', auth: 'bearer', rate: 'default', params: agents.agentNameParams, response: agents.agentResponse, errors: ['NOT_FOUND', 'NO_ACCESS'] }),
  // Decided: the whole store, for the dashboard's admin view (session) as well as a script (bearer).
  listAgents: route({ method: 'GET', path: '/admin/agents', auth: 'account', rate: 'default', response: agents.agentListResponse, errors: ['NO_ACCESS'] }),

  // Credits and budgets (spec §12): members of the client; with BILLING_MODE=off every one answers 404 Not Found.
  getSubscription: route({ method: 'GET', path: '/clients/:id/subscription', auth: 'account', rate: 'default', params: clients.clientIdParams, response: billing.subscriptionResponse, errors: ['ROUTE_NOT_FOUND', 'NOT_FOUND', 'NO_ACCESS'] }),
  getCredits: route({ method: 'GET', path: '/clients/:id/credits', auth: 'account', rate: 'default', params: clients.clientIdParams, response: billing.creditsResponse, errors: ['ROUTE_NOT_FOUND', 'NOT_FOUND', 'NO_ACCESS'] }),
  listCreditTransactions: route({ method: 'GET', path: '/clients/:id/credits/transactions', auth: 'account', rate: 'default', params: clients.clientIdParams, query: billing.transactionsQuery, response: billing.transactionListResponse, errors: ['ROUTE_NOT_FOUND', 'NOT_FOUND', 'NO_ACCESS'] }),
  creditsDaily: route({ method: 'GET', path: '/clients/:id/credits/daily', auth: 'account', rate: 'default', params: clients.clientIdParams, query: billing.creditsDailyQuery, response: billing.creditsDailyResponse, errors: ['ROUTE_NOT_FOUND', 'NOT_FOUND', 'NO_ACCESS'] }),
  // Instance admins only (session or bearer, so the dashboard's admin view can call them).
  grantCredits: route({ method: 'POST', path: '/admin/clients/:id/credits', auth: 'account', rate: 'default', params: clients.clientIdParams, body: billing.grantCreditsRequest, headers: billing.grantCreditsHeaders, response: billing.creditTransaction, errors: ['ROUTE_NOT_FOUND', 'NOT_FOUND', 'NO_ACCESS', 'IDEMPOTENCY_KEY_REUSED'] }),
  setPlan: route({ method: 'PUT', path: '/admin/clients/:id/plan', auth: 'account', rate: 'default', params: clients.clientIdParams, body: billing.setPlanRequest, response: billing.subscriptionResponse, errors: ['ROUTE_NOT_FOUND', 'NOT_FOUND', 'NO_ACCESS'] }),
  // Instance administration (spec §13): the §10 admins, from the dashboard (session) or a script (bearer).
  listUsers: route({ method: 'GET', path: '/admin/users', auth: 'account', rate: 'default', query: admin.adminUsersQuery, response: admin.adminUserListResponse, errors: ['NO_ACCESS'] }),
  createUser: route({ method: 'POST', path: '/admin/users', auth: 'account', rate: 'default', body: admin.createUserRequest, response: admin.adminUser, errors: ['NO_ACCESS', 'EMAIL_ALREADY_EXISTS', 'REGISTRATION_FAILED'] }),
  disableUser: route({ method: 'POST', path: '/admin/users/:id/disable', auth: 'account', rate: 'default', params: admin.adminUserParams, response: admin.adminUser, errors: ['NO_ACCESS', 'USER_NOT_FOUND', 'CANNOT_DISABLE_SELF'] }),
  enableUser: route({ method: 'POST', path: '/admin/users/:id/enable', auth: 'account', rate: 'default', params: admin.adminUserParams, response: admin.adminUser, errors: ['NO_ACCESS', 'USER_NOT_FOUND'] }),

  openApi: route({ method: 'GET', path: '/openapi.json', auth: 'none', rate: 'default', response: openapi.openApiDocumentResponse }),
  asyncApi: route({ method: 'GET', path: '/asyncapi.json', auth: 'none', rate: 'default', response: openapi.asyncApiDocumentResponse }),
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof routes;
export type Routes = typeof routes;

type Out<S> = S extends z.ZodType ? z.output<S> : never;
type In<S> = S extends z.ZodType ? z.input<S> : never;
export type RouteBody<N extends RouteName> = In<Routes[N] extends { body: infer B } ? B : never>;
export type RouteQuery<N extends RouteName> = In<Routes[N] extends { query: infer Q } ? Q : never>;
export type RouteResponse<N extends RouteName> = Out<Routes[N] extends { response: infer R } ? R : never>;
export type RouteParams<N extends RouteName> = In<Routes[N] extends { params: infer P } ? P : never>;

type Slot<K extends string, T> = [T] extends [never] ? { [P in K]?: undefined } : { [P in K]: T };
/** What a call of route N sends, typed by its schemas: `{ body, query, params }` as the route takes them. */
export type RouteCallOptions<N extends RouteName> = Slot<'body', RouteBody<N>> & Slot<'query', RouteQuery<N>> & Slot<'params', RouteParams<N>>;

// Both runtimes of this package (browsers and Node) have URLSearchParams; the package's lib (ES only) does not declare it.
declare const URLSearchParams: new (init: Record<string, string>) => { toString(): string };

/** The URL of a call of `def` (relative to the API origin): its filled path and query. */
export function routeUrl(def: RouteDef, options: { query?: unknown; params?: unknown } = {}): string {
  const url = `${API_BASE}${fillPath(def.path, options.params as Record<string, string | number> | undefined)}`;
  return options.query ? `${url}?${new URLSearchParams(options.query as Record<string, string>)}` : url;
}

/** `/projects/:id` + `{id:'proj_x'}` → `/projects/proj_x` (URL-encoded). */
export function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/:([a-z_]+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`missing path parameter ${key}`);
    return encodeURIComponent(String(value));
  });
}
