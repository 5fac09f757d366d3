import type { Prisma } from '@aius/db';
import { Injectable } from '@nestjs/common';

/** What ended: these users are no longer members of this client. */
export interface EndedMemberships {
  clientId: string;
  userIds: string[];
}

/**
 * Runs inside the transaction that ends the memberships (so it commits or rolls back with
 * them) and returns what to do once that transaction has committed (announce it, e.g. over
 * Redis), which the caller awaits before it answers.
 */
export type MembershipEndHandler = (tx: Prisma.TransactionClient, ended: EndedMemberships) => Promise<() => Promise<void>>;

/**
 * Lets modules that hang rights off a membership (API tokens bound to a client today) end
 * them with it, without the clients module depending on theirs: they register a handler at
 * start-up, and every path that ends a membership (removal, leaving, and a client deletion
 * when it exists: call `ended` for all its members before the rows go) runs them all.
 */
@Injectable()
export class MembershipEnd {
  private readonly handlers: MembershipEndHandler[] = [];

  register(handler: MembershipEndHandler): void {
    this.handlers.push(handler);
  }

  /** Call inside the ending transaction; await the result after it has committed. */
  async ended(tx: Prisma.TransactionClient, ended: EndedMemberships): Promise<() => Promise<void>> {
    const after: (() => Promise<void>)[] = [];
    for (const handler of this.handlers) after.push(await handler(tx, ended));
    return async () => {
      await Promise.all(after.map((announce) => announce()));
    };
  }
}
