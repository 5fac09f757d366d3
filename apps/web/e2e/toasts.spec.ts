import { expect, signUp, test, uniqueEmail } from './support/fixtures';

test('each change that succeeded is confirmed by a toast', async ({ page }) => {
  await signUp(page, 'Forker', uniqueEmail('toast'));
  const toasts = page.locator('.toasts');

  await page.getByLabel('Project name').fill('Lighthouse');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(toasts).toContainText('Project “Lighthouse” created');

  await page.getByRole('button', { name: 'Fork Lighthouse', exact: true }).click();
  await expect(toasts).toContainText('Forked as “Lighthouse (fork)”');
  await expect(page.locator('[data-project="Lighthouse (fork)"]')).toContainText('Forked from “Lighthouse”');

  await page.getByRole('button', { name: 'Delete Lighthouse', exact: true }).click();
  await page.getByRole('dialog', { name: 'Delete “Lighthouse”?' }).getByRole('button', { name: 'Delete project' }).click();
  await expect(page.locator('[data-project="Lighthouse"]')).toBeHidden();
  await expect(toasts).toContainText('Project “Lighthouse” deleted');
  // The fork still says where it came from.
  await expect(page.locator('[data-project="Lighthouse (fork)"]')).toContainText('Forked from “Lighthouse” (deleted)');
  // The toast goes away by itself.
  await expect(toasts).not.toContainText('Project “Lighthouse” deleted', { timeout: 8000 });
});
