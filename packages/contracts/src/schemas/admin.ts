import { z } from 'zod';
import { LIMITS, emailField, idField, nameField, newPasswordField, storable, unixSeconds } from './fields.js';

/**
 * Instance administration (spec §13, the admins of §10): the users of the instance, newest first,
 * searched by email or name (case-insensitive substring), `limit` per page (1–100, default 50),
 * `before` the previous page's `next_before`.
 */
export const adminUsersQuery = z.object({
  query: z.string({ error: 'INVALID_REQUEST' }).trim().max(LIMITS.email, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST').optional(),
  limit: z.coerce.number({ error: 'INVALID_REQUEST' }).int('INVALID_REQUEST').min(1, 'INVALID_REQUEST').max(100, 'INVALID_REQUEST').default(50),
  before: z.string().max(100, 'INVALID_REQUEST').regex(/^[0-9]{1,15}\.[A-Za-z0-9_]{1,64}$/, 'INVALID_REQUEST').optional(),
});
export type AdminUsersQuery = z.infer<typeof adminUsersQuery>;

export const adminUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  created_at: unixSeconds,
  /** When an admin disabled the account; null while it is active. */
  disabled_at: unixSeconds.nullable(),
  /** Listed in ADMIN_EMAILS or granted with `admin grant`. */
  is_admin: z.boolean(),
});
export type AdminUser = z.infer<typeof adminUser>;

export const adminUserListResponse = z.object({ data: z.array(adminUser), next_before: z.string().nullable() });
export type AdminUserListResponse = z.infer<typeof adminUserListResponse>;

export const adminUserParams = z.object({ id: idField('USER_NOT_FOUND') });
export type AdminUserParams = z.infer<typeof adminUserParams>;

/**
 * An account made by an instance admin (decided; the way in under SIGNUP_MODE=closed), with its
 * own default client as at register. Without `password` the person is mailed a link to choose
 * one (valid INVITATION_TTL_DAYS); with it they can sign in at once. Checks in register's order.
 */
export const createUserRequest = z.object({ name: nameField, email: emailField, password: newPasswordField.optional() });
export type CreateUserRequest = z.infer<typeof createUserRequest>;
