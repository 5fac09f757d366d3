import { expect, signUp, test, uniqueEmail } from './support/fixtures';

test('a fork keeps showing its origin after the origin is deleted; each change is confirmed by a toast', async ({ page }) => {
  await signUp(page, 'Forker', uniqueEmail('fork'));
  const toasts = page.locator('.toasts');

  await page.getByLabel('Project name').fill('Lighthouse');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(toasts).toContainText('Project “Lighthouse” created');

  await page.getByRole('button', { name: 'Fork Lighthouse', exact: true }).click();
  await expect(toasts).toContainText('Forked as “Lighthouse (fork)”');
  const fork = page.locator('[data-project="Lighthouse (fork)"]');
  await expect(fork).toContainText('Forked from “Lighthouse”');

  await page.getByRole('button', { name: 'Delete Lighthouse', exact: true }).click();
  await page.getByRole('dialog', { name: 'Delete “Lighthouse”?' }).getByRole('button', { name: 'Delete project' }).click();
  await expect(page.locator('[data-project="Lighthouse"]')).toBeHidden();
  await expect(toasts).toContainText('Project “Lighthouse” deleted');
  await expect(fork).toContainText('Forked from a deleted project');

  // Still so after a reload: the API kept the origin, the page did not merely remember it.
  await page.reload();
  await expect(page.locator('[data-project="Lighthouse (fork)"]')).toContainText('Forked from a deleted project');
});
