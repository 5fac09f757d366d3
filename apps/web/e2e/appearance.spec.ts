import { expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

const background = (page: import('@playwright/test').Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
// Relative luminance-ish: the mean of the channels of an `rgb(r, g, b)` colour.
const brightness = (rgb: string) => {
  const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
  return (r! + g! + b!) / 3;
};

test('the dashboard follows the system colour scheme', async ({ page }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await signUp(page, 'Night Owl', uniqueEmail('dark'));
  expect(brightness(await background(page))).toBeGreaterThan(200);

  await page.emulateMedia({ colorScheme: 'dark' });
  expect(brightness(await background(page))).toBeLessThan(60);
  // Text stays readable on it, and form controls are drawn dark too.
  const text = await page.evaluate(() => getComputedStyle(document.body).color);
  expect(brightness(text)).toBeGreaterThan(180);
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe('dark');
  await snap(page, testInfo, 'projects-dark');
});
