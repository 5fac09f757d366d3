import { z } from 'zod';
import { linkTokenField } from './account.js';
import { clientSummary } from './clients.js';
import { emailField, idField, roleSchema, unixSeconds } from './fields.js';

/** Invitations to a client by email (spec §13). */

export const createInvitationRequest = z.object({ email: emailField, role: roleSchema.default('member') });
export type CreateInvitationRequest = z.infer<typeof createInvitationRequest>;

export const invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  expires_at: unixSeconds,
  created_at: unixSeconds,
  /** Who sent it (null once that account is gone). */
  invited_by: z.string().nullable(),
});
export type Invitation = z.infer<typeof invitation>;

export const invitationListResponse = z.object({ data: z.array(invitation) });
export type InvitationListResponse = z.infer<typeof invitationListResponse>;

export const invitationParams = z.object({ id: idField('NOT_FOUND'), invitation_id: idField('NOT_FOUND') });
export type InvitationParams = z.infer<typeof invitationParams>;

export const cancelInvitationResponse = z.object({ id: z.string(), cancelled: z.literal(true) });
export type CancelInvitationResponse = z.infer<typeof cancelInvitationResponse>;

export const invitationTokenRequest = z.object({ token: linkTokenField('INVALID_INVITATION') });
export type InvitationTokenRequest = z.infer<typeof invitationTokenRequest>;

/** (decided) POST /invitations/inspect: what the accept page shows before anyone signs in; uses nothing up. */
export const invitationPreview = z.object({
  client_name: z.string(),
  email: z.string(),
  role: roleSchema,
  expires_at: unixSeconds,
  /** Whether the invited email has an account here (sign in to accept) or not (register through the link). */
  has_account: z.boolean(),
});
export type InvitationPreview = z.infer<typeof invitationPreview>;

/** The membership the invitation became, as GET /clients lists it. */
export const acceptInvitationResponse = clientSummary;
export type AcceptInvitationResponse = z.infer<typeof acceptInvitationResponse>;
