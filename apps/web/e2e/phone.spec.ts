import { type Page } from '@playwright/test';
import { expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'page is wider than the phone screen').toBeLessThanOrEqual(0);
}

test('at 375 px every page fits the screen and stays usable', async ({ page }, testInfo) => {
  await page.goto('/signup');
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-signup');
  await signUp(page, 'Phone Person', uniqueEmail('phone'));

  await page.getByLabel('Project name').fill('Pocket project with a fairly long name to wrap');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('button', { name: /^Fork Pocket project/ })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-projects');

  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('link', { name: 'API tokens' }).click();
  await page.getByLabel('Token name').fill('phone');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toBeVisible();
  await page.getByRole('button', { name: 'I’ve stored it' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'phone' })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-tokens');

  await nav.getByRole('link', { name: 'Organizations' }).click();
  await expect(page.getByRole('heading', { name: 'Your organizations' })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-organizations');

  await nav.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-security');

  await nav.getByRole('link', { name: 'Get started' }).click();
  await expect(page.getByRole('heading', { name: 'Get started', level: 1 })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-get-started');

  // The chart is drawn at the phone's width: its labels keep their size instead of shrinking with it.
  await nav.getByRole('link', { name: 'Usage' }).click();
  const chart = page.getByRole('img', { name: /tokens per day from/ });
  await expect(chart).toBeVisible();
  await expect
    .poll(() => chart.locator('text').evaluateAll((labels) => Math.min(...labels.map((l) => l.getBoundingClientRect().height))))
    .toBeGreaterThanOrEqual(10);
  const dateLabels = await chart.locator('text[text-anchor="middle"]').count();
  expect(dateLabels).toBeGreaterThanOrEqual(2);
  expect(dateLabels).toBeLessThanOrEqual(6);
  await expectNoSidewaysScroll(page);
  await snap(page, testInfo, 'phone-usage');
});
