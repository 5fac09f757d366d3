import { expect, test } from './support/fixtures';

test('the API reference at /docs renders the generated document, offline', async ({ page }) => {
  const foreign: string[] = [];
  // Everything must come from this server: a request anywhere else is recorded and refused.
  await page.route(/^(?!https?:\/\/(localhost|127\.0\.0\.1)[:/])/, (route) => {
    foreign.push(route.request().url());
    return route.abort();
  });
  const document = page.waitForResponse((res) => res.url().endsWith('/api/v1/openapi.json') && res.status() === 200);
  await page.goto('/docs');
  await document;
  await expect(page.getByRole('heading', { name: 'AIUS API' }).first()).toBeVisible();
  await page.getByText('tokens', { exact: true }).first().click();
  await expect(page.getByText('Create token').first()).toBeVisible();
  await expect(page.getByText('chat proxy', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('Ask AI')).toHaveCount(0);
  expect(foreign).toEqual([]);
});
