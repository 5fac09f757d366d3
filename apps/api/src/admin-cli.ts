import { ConfigError, configSchema, loadConfig } from './config/config.js';
import { adminCommand } from './modules/agents/admin-command.js';
import { createUserCommand } from './create-user-command.js';

// `admin grant|revoke <email>` needs only the database; `admin create-user` boots the API's modules.
try {
  const args = process.argv.slice(2);
  if (args[0] === 'create-user') {
    console.log(await createUserCommand(args.slice(1), loadConfig(process.env)));
  } else {
    const { DATABASE_URL } = loadConfig(process.env, configSchema.pick({ DATABASE_URL: true }));
    console.log(await adminCommand(args, DATABASE_URL));
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `admin: ${(error as Error).message}`);
  process.exit(1);
}
