import { ID_PREFIX } from '@aius/contracts';
import type { Prisma } from '@aius/db';
import { randomId } from '../../common/random-id.js';

/**
 * Creates a client and makes `ownerId` its owner, inside the caller's transaction.
 * The clients module owns these tables; registration calls this so the user's default
 * client is born in the same transaction as the user (spec §4: all or nothing).
 */
export async function createClientWithOwner(
  tx: Prisma.TransactionClient,
  input: { ownerId: string; name: string },
): Promise<{ id: string; name: string; createdAt: Date }> {
  const client = await tx.client.create({
    data: { id: randomId(ID_PREFIX.client), name: input.name, memberships: { create: { userId: input.ownerId, role: 'owner' } } },
  });
  return { id: client.id, name: client.name, createdAt: client.createdAt };
}
