import { migrate, PrismaService } from '@aius/db';
import { AgentsRepository } from './agents.repository.js';

const USAGE = 'usage: admin grant <email> | admin revoke <email> | admin create-user <email> <name…>';

/**
 * `pnpm --filter @aius/api admin grant|revoke <email>` (spec §10): instance admins besides
 * ADMIN_EMAILS, kept in `instance_admins`. A grant may precede the account (it is keyed by
 * email). Returns the line to print; throws with the usage line on bad arguments.
 */
export async function adminCommand(args: readonly string[], databaseUrl: string): Promise<string> {
  const [verb, rawEmail, ...rest] = args;
  const email = rawEmail?.trim().toLowerCase();
  if ((verb !== 'grant' && verb !== 'revoke') || !email || rest.length > 0 || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error(USAGE);
  await migrate(databaseUrl, { log: () => undefined });
  const prisma = new PrismaService({ url: databaseUrl, poolSize: 1, timeoutMs: 10_000 });
  try {
    const repository = new AgentsRepository(prisma);
    if (verb === 'grant') {
      await repository.grant(email);
      return `${email} is an instance admin`;
    }
    return (await repository.revoke(email)) ? `${email} is no longer an instance admin` : `${email} had no grant (ADMIN_EMAILS is not changed by this command)`;
  } finally {
    await prisma.$disconnect();
  }
}
