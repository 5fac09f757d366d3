import { expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

test('the usage page shows the organization’s totals and a daily chart for the chosen period', async ({ page }, testInfo) => {
  await signUp(page, 'Usage Viewer', uniqueEmail('usage'));
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Usage' }).click();
  await expect(page.getByRole('heading', { name: 'Usage', level: 1 })).toBeVisible();

  const totals = page.getByLabel('Totals for the period');
  await expect(totals).toContainText('Requests');
  await expect(totals).toContainText('Total tokens');
  const chart = page.getByRole('img', { name: /tokens per day from .* to .*: 0 in total/ });
  await expect(chart).toBeVisible();
  await expect(page.getByText('No calls in this period yet.')).toBeVisible();

  await page.getByLabel('Chart', { exact: true }).selectOption('requests');
  await expect(page.getByRole('heading', { name: 'Requests per day' })).toBeVisible();
  await page.getByLabel('Period', { exact: true }).selectOption('7');
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
  await expect(page.getByRole('img', { name: `requests per day from ${weekAgo} to ${today}: 0 in total` })).toBeVisible();
  await snap(page, testInfo, 'usage');
});

test('with billing off (BILLING_MODE=off) there is no Billing section, and its page says billing is off', async ({ page }) => {
  await signUp(page, 'Unbilled Viewer', uniqueEmail('unbilled'));
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await expect(nav.getByRole('link', { name: 'Usage' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Billing' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Usage' }).click();
  await expect(page.getByLabel('Totals for the period')).toBeVisible();
  await expect(page.getByText('Credits left')).toHaveCount(0);
  await page.goto('/billing');
  await expect(page.getByText('Billing is off on this server')).toBeVisible();
});
