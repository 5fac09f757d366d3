import { z } from 'zod';
import { emailField, idField, nameField, roleSchema, unixSeconds } from './fields.js';

export const clientSummary = z.object({ id: z.string(), name: z.string(), role: roleSchema, created_at: unixSeconds });
export type ClientSummary = z.infer<typeof clientSummary>;

export const clientListResponse = z.object({ data: z.array(clientSummary) });
export type ClientListResponse = z.infer<typeof clientListResponse>;

export const createClientRequest = z.object({ name: nameField });
export type CreateClientRequest = z.infer<typeof createClientRequest>;

export const createClientResponse = z.object({
  id: z.string(),
  name: z.string(),
  /** The owner's email (spec §6). */
  owner_id: z.string(),
  created_at: unixSeconds,
});
export type CreateClientResponse = z.infer<typeof createClientResponse>;

/** (spec §13) Rename a client: owners only. Answers the caller's summary of it. */
export const updateClientRequest = z.object({ name: nameField });
export type UpdateClientRequest = z.infer<typeof updateClientRequest>;

export const deleteClientResponse = z.object({ deleted: z.literal(true) });
export type DeleteClientResponse = z.infer<typeof deleteClientResponse>;

export const clientIdParams = z.object({ id: idField('NOT_FOUND') });
export const memberParams = z.object({ id: idField('NOT_FOUND'), user_id: idField('NOT_FOUND') });
export type MemberParams = z.infer<typeof memberParams>;

export const member = z.object({
  user_id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  created_at: unixSeconds,
});
export type Member = z.infer<typeof member>;

export const memberListResponse = z.object({ data: z.array(member) });
export type MemberListResponse = z.infer<typeof memberListResponse>;

export const addMemberRequest = z.object({
  email: emailField,
  role: roleSchema.default('member'),
});
export type AddMemberRequest = z.infer<typeof addMemberRequest>;

/** (decided) Change a member's role; demoting the last owner is LAST_OWNER. */
export const updateMemberRequest = z.object({ role: roleSchema });
export type UpdateMemberRequest = z.infer<typeof updateMemberRequest>;

export const removeMemberResponse = z.object({ removed: z.literal(true), user_id: z.string() });
export type RemoveMemberResponse = z.infer<typeof removeMemberResponse>;
