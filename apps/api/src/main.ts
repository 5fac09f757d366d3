import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.js';
import { GracefulShutdown } from './lifecycle/graceful-shutdown.js';

try {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  app.get(GracefulShutdown).handleSignals(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  new Logger('AIUS').log(`API listening on http://${config.HOST}:${config.PORT}/api/v1 (and /v1)`);
} catch (error) {
  // A bad setting is one line naming the variable, not a stack trace.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`AIUS failed to start: ${(error as Error).stack ?? error}`);
  process.exit(1);
}
