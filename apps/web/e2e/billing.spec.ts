import { call, startFakeUpstream, type FakeUpstream } from '@aius/test-support';
import type { Page } from '@playwright/test';
import { expect, signUp, snap, test, uniqueEmail } from './support/fixtures';
import { freePort } from './support/free-port';
import { startStack, type Stack } from './support/stack';

/**
 * Issue 16 item 5 in the browser, on a stack of its own running BILLING_MODE=credits: an admin
 * grants credits, a token's calls spend them (the Billing page's balance drops), the call past
 * the balance is refused with 402, and the usage page counts it as a failed call.
 * `gpt-priced` costs $1,000 per million tokens both ways: a fake answer (11 prompt + 5
 * completion tokens) costs 16 × $0.001 = 1.6 credits. 4 credits → 3 calls (the third takes the
 * balance below zero: it was let through while something was left), then 402.
 */
const WEB_PORT = freePort();
const ADMIN_EMAIL = 'billing-admin@example.com';
test.use({ baseURL: `http://localhost:${WEB_PORT}` });

let upstream: FakeUpstream;
let stack: Stack;
test.beforeAll(async () => {
  // An API and a dashboard of its own start here.
  test.setTimeout(120_000);
  upstream = await startFakeUpstream({ words: 5, models: ['gpt-priced', 'gpt-other'] });
  stack = await startStack({
    webPort: WEB_PORT,
    env: {
      UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstream.url, api_key: 'sk-e2e', models: ['gpt-priced', 'gpt-other'] }]),
      ADMIN_EMAILS: ADMIN_EMAIL,
      BILLING_MODE: 'credits',
      MODEL_PRICES: JSON.stringify({ 'gpt-priced': { input: 1000, output: 1000 }, '*': { input: 0, output: 0 } }),
    },
  });
});
test.afterAll(async () => {
  await stack?.close();
  await upstream?.close();
});

const chat = (token: string, model = 'gpt-priced') =>
  call(new URL(stack.apiBase).origin, 'chatCompletions', { body: { model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }, as: { bearer: token } });

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'page is wider than the screen').toBeLessThanOrEqual(0);
}

test('an admin grants credits, calls spend them, and the call past the balance is a 402 the usage page counts', async ({ page, browser }, testInfo) => {
  // A story of two accounts, a token, four calls and four pages: longer than one page's test.
  test.setTimeout(180_000);
  await signUp(page, 'Billed Member', uniqueEmail('billed'));
  const nav = page.getByRole('navigation', { name: 'Sections' });

  await test.step('the Billing page starts empty: the default plan, nothing left, no transactions', async () => {
    await nav.getByRole('link', { name: 'Billing' }).click();
    await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
    const balance = page.getByLabel('Balance');
    await expect(balance).toContainText('free');
    await expect(page.getByTestId('credits-total')).toHaveText('0');
    await expect(page.getByText(/No credits left/)).toBeVisible();
    await expect(page.getByText('No transactions yet')).toBeVisible();
    await expect(page.getByText('Nothing spent in this period')).toBeVisible();
  });
  const orgId = (await page.locator('p', { hasText: 'Organization ID' }).locator('code').textContent())!;
  expect(orgId).toMatch(/^client_/);

  let token = '';
  await test.step('a token limited to one model and a day is created, and the list shows both limits', async () => {
    await nav.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('metered');
    const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Expires').fill(day);
    await page.getByRole('checkbox', { name: 'gpt-priced' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    token = (await page.getByTestId('new-token').textContent())!;
    await page.getByRole('button', { name: 'I’ve stored it' }).click();
    const row = page.getByRole('row').filter({ hasText: 'metered' });
    await expect(row).toContainText('gpt-priced');
    await expect(row).not.toContainText('gpt-other');
    await expect(row.locator('[data-label="Expires"] time')).toBeVisible();
    await expect(row).toContainText('Active');
    // Its allowlist holds on the proxy.
    expect((await chat(token, 'gpt-other')).status).toBe(403);
  });

  await test.step('an instance admin sets the plan and grants 4 credits from the Admin page', async () => {
    const context = await browser.newContext({ baseURL: `http://localhost:${WEB_PORT}` });
    const admin = await context.newPage();
    await signUp(admin, 'Billing Admin', ADMIN_EMAIL);
    await admin.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
    const section = admin.getByRole('region', { name: 'Credits and plans' });
    await section.getByLabel('Organization ID').fill('client_doesnotexist');
    await section.getByLabel('Credits', { exact: true }).fill('4');
    await section.getByRole('button', { name: 'Grant credits' }).click();
    await expect(section.getByText('No organization on this server has this ID.')).toBeVisible();
    await section.getByLabel('Organization ID').fill(orgId);
    await section.getByLabel('Credits', { exact: true }).fill('0');
    await section.getByRole('button', { name: 'Grant credits' }).click();
    await expect(section.getByText(/Enter a number of credits other than 0/)).toBeVisible();

    await section.getByLabel('Plan name').fill('starter');
    await section.getByLabel('Monthly quota (credits)').fill('0');
    await section.getByRole('button', { name: 'Set plan' }).click();
    await expect(section.getByTestId('billing-admin-outcome')).toContainText(`${orgId} is on plan starter`);
    await section.getByLabel('Credits', { exact: true }).fill('4');
    await section.getByLabel('Note').fill('e2e top-up');
    await section.getByRole('button', { name: 'Grant credits' }).click();
    await expect(section.getByTestId('billing-admin-outcome')).toContainText(`Granted 4 credits: ${orgId} now has 4`);
    await context.close();
  });

  await test.step('the member sees the plan, the grant and then the balance dropping with each call', async () => {
    await nav.getByRole('link', { name: 'Billing' }).click();
    await expect(page.getByLabel('Balance')).toContainText('starter');
    await expect(page.getByTestId('credits-total')).toHaveText('4');
    await expect(page.getByRole('row').filter({ hasText: 'e2e top-up' })).toContainText('+4');
    expect((await chat(token)).status).toBe(200);
    await page.reload();
    await expect(page.getByTestId('credits-total')).toHaveText('2.4');
    await expect(page.getByTestId('topup-balance')).toHaveText('2.4');
  });

  await test.step('calls go on until the credits are used up, then a 402', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await chat(token);
      statuses.push(res.status);
      if (res.status === 402) {
        expect(res.body).toEqual({ detail: { code: 'INSUFFICIENT_CREDITS', message: 'Insufficient credits' } });
        break;
      }
    }
    expect(statuses).toEqual([200, 200, 402]);
    await page.reload();
    await expect(page.getByTestId('credits-total')).toHaveText('-0.8');
    await expect(page.getByText(/No credits left/)).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: 'Calls' })).toHaveCount(3);
    await expect(page.getByRole('img', { name: /credits spent per day from .*: 4\.8 in total/ })).toBeVisible();
    await snap(page, testInfo, 'billing');
  });

  await test.step('the usage page counts the 402 as a failed call and shows the balance', async () => {
    await nav.getByRole('link', { name: 'Usage' }).click();
    await expect(page.getByTestId('usage-credits-total')).toHaveText('-0.8');
    // Usage is written off the request path, within one flush interval (1 s by default).
    await expect(async () => {
      await page.reload();
      const failed = page.getByTestId('failed-calls');
      await expect(failed).toBeVisible();
      await expect(failed).toHaveText('1', { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
  });

  await test.step('dark mode and a phone’s width', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 375, height: 812 });
    await nav.getByRole('link', { name: 'Billing' }).click();
    await expect(page.getByTestId('credits-total')).toHaveText('-0.8');
    await expectNoSidewaysScroll(page);
    await snap(page, testInfo, 'billing-phone-dark');
  });
});
