import { readFile } from 'node:fs/promises';
import { type Page } from '@playwright/test';
import { PASSWORD, expect, signUp, snap, test, uniqueEmail } from './support/fixtures';
import { totpCode } from './support/totp';

async function shownRecoveryCodes(page: Page): Promise<string[]> {
  const items = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(items).toHaveCount(10);
  return (await items.allTextContents()).map((c) => c.trim());
}

test('recovery codes: download, regenerate, sign in with one, and turn 2FA off with another', async ({ page }, testInfo) => {
  const email = uniqueEmail('keys');
  await signUp(page, 'Key Keeper', email);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  await page.getByLabel('Enter the 6-digit code the app shows').fill((await totpCode(secret)).code);
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const first = await shownRecoveryCodes(page);

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download .txt' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('aius-recovery-codes.txt');
  const saved = await readFile((await download.path())!, 'utf8');
  for (const code of first) expect(saved).toContain(code);
  await page.getByRole('button', { name: 'I’ve saved them' }).click();
  await expect(page.getByText('You have 10 unused recovery codes left.')).toBeVisible();

  await test.step('a wrong code is refused next to the code field', async () => {
    await page.getByRole('button', { name: 'New recovery codes' }).click();
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await expect(page.getByText('That code isn’t right. Check your authenticator app and try again.')).toBeVisible();
    await expect(page.getByLabel('Authentication code')).toHaveAttribute('aria-invalid', 'true');
  });

  const second = await test.step('a recovery code makes a new set, shown once', async () => {
    await page.getByLabel('Authentication code').fill(first[0]!);
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    const codes = await shownRecoveryCodes(page);
    expect(codes.filter((c) => first.includes(c))).toEqual([]);
    await snap(page, testInfo, 'regenerated-codes');
    await page.getByRole('button', { name: 'I’ve saved them' }).click();
    return codes;
  });

  await test.step('sign in with a recovery code instead of the app', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').fill(first[1]!);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page.getByText('That code isn’t right. Check your authenticator app and try again.')).toBeVisible();
    await page.getByLabel('Authentication code').fill(second[0]!);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page).toHaveURL(/\/projects$/);
  });

  await test.step('turn 2FA off with another recovery code', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Security' }).click();
    await expect(page.getByText('You have 9 unused recovery codes left.')).toBeVisible();
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByLabel('Authentication or recovery code').fill(second[1]!);
    await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await expect(page.getByRole('button', { name: 'Set up two-factor authentication' })).toBeVisible();
    await expect(page.getByText('Off', { exact: true })).toBeVisible();
    await snap(page, testInfo, 'two-factor-off');
  });
});
