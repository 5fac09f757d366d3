import type { Prisma } from '@aius/db';
import { Injectable } from '@nestjs/common';

/** What a module keeps inside projects (artifacts today) does when a project is forked or deleted. */
export interface ProjectContentHandler {
  /** Inside the fork's transaction (so it commits or rolls back with the new project): copy into the fork. */
  forked(tx: Prisma.TransactionClient, fromProjectId: string, toProjectId: string): Promise<void>;
  /** After a project's deletion has committed (its rows went with it by ON DELETE CASCADE): clean up what they left. */
  deleted(clientId: string): Promise<void>;
}

/**
 * Lets modules that keep things in a project follow its forks and deletions without the
 * projects module depending on theirs (they sit above it: an artifact names its project, and
 * reads it through ProjectsService). They register at start-up, as with MembershipEnd.
 */
@Injectable()
export class ProjectContents {
  private readonly handlers: ProjectContentHandler[] = [];

  register(handler: ProjectContentHandler): void {
    this.handlers.push(handler);
  }

  async forked(tx: Prisma.TransactionClient, fromProjectId: string, toProjectId: string): Promise<void> {
    for (const handler of this.handlers) await handler.forked(tx, fromProjectId, toProjectId);
  }

  async deleted(clientId: string): Promise<void> {
    for (const handler of this.handlers) await handler.deleted(clientId);
  }
}
