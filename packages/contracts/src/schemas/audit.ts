import { z } from 'zod';
import { idField, unixSeconds } from './fields.js';

/**
 * Every action the audit log records (spec §13), spelled once. A stream that records a new kind
 * of event adds its name here; the API's writer accepts nothing else, and the read routes filter
 * by these names. Names are `<what>.<happened>`.
 */
export const AUDIT_ACTIONS = [
  'user.registered',
  'login.succeeded',
  'login.failed',
  'logout',
  '2fa.enabled',
  '2fa.disabled',
  '2fa.recovery_code_used',
  '2fa.recovery_codes_regenerated',
  'password.changed',
  'password.reset',
  'session.ended',
  'token.created',
  'token.revoked',
  'client.created',
  'client.renamed',
  'client.deleted',
  'member.added',
  'member.removed',
  'member.role_changed',
  'member.left',
  'invitation.created',
  'invitation.cancelled',
  'invitation.accepted',
  'project.deleted',
  'admin.user_disabled',
  'admin.user_enabled',
  'admin.user_created',
  'credits.granted',
  'plan.changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an event is about: the kind of `target_id`. */
export const AUDIT_TARGET_TYPES = ['user', 'session', 'token', 'client', 'project', 'membership', 'invitation'] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

/** An `id`-ordered cursor: the `next_before` of the previous page (an event id, digits only). */
const cursor = z.string().max(20, 'INVALID_REQUEST').regex(/^[1-9][0-9]*$/, 'INVALID_REQUEST');
/** Unix seconds in a query string. */
const unixQuery = z.coerce.number({ error: 'INVALID_REQUEST' }).int('INVALID_REQUEST').min(0, 'INVALID_REQUEST').max(253_402_300_799, 'INVALID_REQUEST');

/**
 * `GET /me/audit-log` and `GET /clients/{id}/audit-log`: newest first, `limit` per page (1–100,
 * default 50), `before` the previous page's `next_before`; optional filters by action, actor and
 * time (`since` inclusive, `until` exclusive, unix seconds).
 */
export const auditLogQuery = z.object({
  before: cursor.optional(),
  limit: z.coerce.number({ error: 'INVALID_REQUEST' }).int('INVALID_REQUEST').min(1, 'INVALID_REQUEST').max(100, 'INVALID_REQUEST').default(50),
  action: z.enum(AUDIT_ACTIONS, { error: 'INVALID_REQUEST' }).optional(),
  actor_id: idField('INVALID_REQUEST').optional(),
  since: unixQuery.optional(),
  until: unixQuery.optional(),
});
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

export const auditEvent = z.object({
  id: z.string(),
  /** Null when nobody signed in did it (a failed login, the operator's command line). */
  actor_id: z.string().nullable(),
  actor_email: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  /** The client the event happened in, when it happened in one. */
  client_id: z.string().nullable(),
  target_type: z.enum(AUDIT_TARGET_TYPES).nullable(),
  target_id: z.string().nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  created_at: unixSeconds,
});
export type AuditEventWire = z.infer<typeof auditEvent>;

export const auditLogResponse = z.object({ data: z.array(auditEvent), next_before: z.string().nullable() });
export type AuditLogResponse = z.infer<typeof auditLogResponse>;
