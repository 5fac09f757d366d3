import { test as base, expect, type Page, type TestInfo } from '@playwright/test';

export { expect };

/** Where the tests reach the dashboard, and through it the API (same origin, /api/v1). */
export const WEB_ORIGIN = `http://localhost:${process.env.E2E_WEB_PORT}`;
export const API_BASE = `${WEB_ORIGIN}/api/v1`;

// Chromium reports every 4xx answer as "Failed to load resource"; tests that provoke one on
// purpose (a wrong password) tolerate exactly that line. The strict console test does not.
const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

export const test = base.extend<{ strictConsole: boolean; expectedConsoleErrors: RegExp | null; consoleGuard: void }>({
  strictConsole: [false, { option: true }],
  /** Console errors a test provokes on purpose and checks itself (e.g. the browser blocking a script). */
  expectedConsoleErrors: [null, { option: true }],
  consoleGuard: [
    async ({ page, strictConsole, expectedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        if (!strictConsole && EXPECTED_HTTP_ERROR.test(message.text())) return;
        if (expectedConsoleErrors?.test(message.text())) return;
        errors.push(`${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      await use();
      expect(errors, 'errors in the browser console').toEqual([]);
    },
    { auto: true },
  ],
});

let counter = 0;
/** An address no other test (or earlier run on the same database) has used. */
export function uniqueEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}@example.com`;
}

export const PASSWORD = 'Calm-harbor-42';

/** Signs up through the form (which lands on Get started); leaves the page on the projects dashboard. */
export async function signUp(page: Page, name: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/get-started$/);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Projects', exact: true }).click();
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
}

/** A named full-page screenshot, attached to the report and kept in test-results/. */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}
