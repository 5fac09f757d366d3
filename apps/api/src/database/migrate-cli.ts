import { ConfigError, loadConfig, configSchema } from '../config/config.js';
import { migrate } from '@aius/db';

/** `pnpm db:migrate`: applies pending migrations to DATABASE_URL and exits. */
try {
  const { DATABASE_URL } = loadConfig(process.env, configSchema.pick({ DATABASE_URL: true }));
  const result = await migrate(DATABASE_URL, { log: (line) => console.log(line) });
  console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already up to date`);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `migrate: ${(error as Error).message}`);
  process.exit(1);
}
