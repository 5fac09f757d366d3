import { NestFactory } from '@nestjs/core';
import { createUserRequest } from '@aius/contracts';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';
import { AccountCreation } from './modules/auth/account-creation.js';
import { AuditLog } from './modules/audit/audit-log.js';
import { MailOutbox } from './modules/mail/mail-outbox.js';

export const CREATE_USER_USAGE = 'usage: admin create-user <email> <name…>';

/**
 * `pnpm --filter @aius/api admin create-user <email> <name…>`: the account an admin would create
 * on the Admin page (POST /admin/users without a password), from the server's shell. It is how
 * the first account of a server started with SIGNUP_MODE=closed comes to exist: nobody has to
 * open sign-up, even for a minute. The set-password mail goes through the outbox and is sent
 * before the command returns (with no SMTP_URL its link is written to this command's log).
 * Needs the API's own configuration (the same environment as the server).
 */
export async function createUserCommand(args: readonly string[], config: AppConfig): Promise<string> {
  const [email, ...nameParts] = args;
  const parsed = createUserRequest.safeParse({ email, name: nameParts.join(' ') });
  if (!parsed.success) throw new Error(`${CREATE_USER_USAGE} (${parsed.error.issues[0]?.message ?? 'INVALID_REQUEST'})`);
  const context = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const user = await context.get(AccountCreation).createByAdmin(parsed.data);
    // No admin account acted: the actor is the server's operator.
    context.get(AuditLog).record({ action: 'admin.user_created', actorId: null, targetType: 'user', targetId: user.id });
    const outbox = context.get(MailOutbox);
    await outbox.drainNow();
    const where = outbox.transport.mode === 'log' ? 'written to the log above (no SMTP_URL)' : `mailed to ${user.email}`;
    return `${user.email} created (${user.id}); a link to choose a password was ${where}`;
  } finally {
    await context.close();
  }
}
