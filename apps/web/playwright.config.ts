import { defineConfig, devices } from '@playwright/test';
import { freePort } from './e2e/support/free-port';

/**
 * The dashboard in Debian's Chromium against the real stack: a production API build on a
 * fresh database (e2e/support/api-server.mjs) and `next start`, sharing one origin through
 * the /api proxy. Ports are picked once here and inherited by the workers through the env.
 */
process.env.E2E_WEB_PORT ??= freePort();
process.env.E2E_API_PORT ??= freePort();
// The scripted OpenAI-compatible upstream the runs test starts in its own process.
process.env.E2E_UPSTREAM_PORT ??= freePort();
// The SMTP server e2e/accounts.spec.ts starts itself; until it does, the API's outbox retries.
process.env.E2E_SMTP_PORT ??= freePort();
const webOrigin = `http://localhost:${process.env.E2E_WEB_PORT}`;
const apiOrigin = `http://127.0.0.1:${process.env.E2E_API_PORT}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // Two shared cores: one browser at a time keeps the API, Next and Chromium responsive.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: webOrigin,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: [
    {
      name: 'api',
      command: 'node e2e/support/api-server.mjs',
      url: `${apiOrigin}/api/v1/health`,
      env: { E2E_API_PORT: process.env.E2E_API_PORT, E2E_UPSTREAM_PORT: process.env.E2E_UPSTREAM_PORT, E2E_SMTP_PORT: process.env.E2E_SMTP_PORT, APP_ORIGINS: webOrigin },
      reuseExistingServer: false,
      timeout: 60_000,
      // SIGTERM lets the launcher drop its database on the way out.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    },
    {
      name: 'web',
      command: `node node_modules/next/dist/bin/next start --port ${process.env.E2E_WEB_PORT}`,
      url: `${webOrigin}/login`,
      env: { API_URL: apiOrigin, NEXT_TELEMETRY_DISABLED: '1' },
      reuseExistingServer: false,
      timeout: 60_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    },
  ],
});
