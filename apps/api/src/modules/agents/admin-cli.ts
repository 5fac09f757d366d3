import { ConfigError, configSchema, loadConfig } from '../../config/config.js';
import { adminCommand } from './admin-command.js';

try {
  const { DATABASE_URL } = loadConfig(process.env, configSchema.pick({ DATABASE_URL: true }));
  console.log(await adminCommand(process.argv.slice(2), DATABASE_URL));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `admin: ${(error as Error).message}`);
  process.exit(1);
}
