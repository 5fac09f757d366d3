import { randomBytes } from 'node:crypto';
import { ID_PREFIX, type Role } from '@aius/contracts';
import type { Prisma } from '../../generated/prisma/client.js';

/** Spec timestamps are integer unix seconds. */
export const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Opaque, URL-safe, unguessable ids (128 random bits). */
export const newClientId = (): string => ID_PREFIX.client + randomBytes(16).toString('base64url');

const ROLE_RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };
/** True when `role` carries at least the rights of `min`. */
export const hasRole = (role: Role, min: Role): boolean => ROLE_RANK[role] >= ROLE_RANK[min];

/**
 * A new client and its owner's membership, inside the caller's transaction. Register
 * uses it for the default client and POST /clients for every other one, so both
 * produce the same rows.
 */
export async function createClientWithOwner(
  tx: Prisma.TransactionClient,
  input: { ownerId: string; name: string },
): Promise<{ id: string; name: string; createdAt: Date }> {
  return tx.client.create({
    data: { id: newClientId(), name: input.name, memberships: { create: { userId: input.ownerId, role: 'owner' } } },
    select: { id: true, name: true, createdAt: true },
  });
}
