import { Injectable } from '@nestjs/common';
import type { Role } from '@aius/contracts';
import { LRUCache } from 'lru-cache';
import { SharedEpochs, type Epoch } from '../../redis/shared-epoch.js';
import type { Standing } from './clients.service.js';

/** How long a role may be kept at most, even with no change announced (it bounds memory, not staleness). */
const TTL_MS = 60_000;

interface Entry {
  role: Role;
  /** The membership epoch read before the role was read from Postgres. */
  epoch: string;
}

/**
 * The membership check of every client-scoped read (usage, projects, runs, …) without a Postgres
 * query on a busy instance: a member's role, filed under the membership epoch (SharedEpochs) read
 * *before* Postgres was asked, and served from memory only while that epoch is still the current,
 * trusted one. Every change to memberships (adding, re-roling, removing or leaving a member,
 * creating or deleting a client) advances that epoch through ClientListCache.changed and waits
 * out its trust window before it answers, so from the moment such a change has returned no
 * instance decides from a role read before it: the same bound as the client list and token
 * revocation, and no staleness after the change's response.
 * Only a role is kept: "not a member" and "no such client" are asked of Postgres every time.
 * Without a trusted epoch (no Redis, Redis failing, an idle instance) every check goes to Postgres.
 */
@Injectable()
export class MembershipCache {
  private readonly roles = new LRUCache<string, Entry>({ max: 10_000, ttl: TTL_MS });
  private readonly memberships: Epoch;

  constructor(epochs: SharedEpochs) {
    this.memberships = epochs.register('memberships');
  }

  /** The standing from memory when no membership can have changed since it was read, else `read()`'s (kept if a role). */
  async standing(userId: string, clientId: string, read: () => Promise<Standing>): Promise<Standing> {
    const key = `${userId} ${clientId}`;
    const epoch = this.memberships.current();
    if (epoch !== null) {
      const entry = this.roles.get(key);
      if (entry?.epoch === epoch) return { exists: true, role: entry.role };
    }
    const standing = await read();
    if (epoch !== null && standing.role !== null) this.roles.set(key, { role: standing.role, epoch });
    return standing;
  }
}
