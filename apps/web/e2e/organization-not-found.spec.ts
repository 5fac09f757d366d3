import { expect, signUp, test, uniqueEmail } from './support/fixtures';

test('an unknown organization says it does not exist, and offers the way back instead of a retry', async ({ page }) => {
  await signUp(page, 'Wanderer', uniqueEmail('lost'));
  await page.goto('/organizations/client_doesnotexist0000000000');
  await expect(page.getByRole('heading', { name: 'Organization not found', level: 1 })).toBeVisible();
  await expect(page.getByText('There is no organization at this address.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await page.getByRole('link', { name: 'See your organizations' }).click();
  await expect(page).toHaveURL(/\/organizations$/);
});
