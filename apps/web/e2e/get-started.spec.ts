import { expect, signUp, test, uniqueEmail, PASSWORD, WEB_ORIGIN } from './support/fixtures';

test.describe('Get started', () => {
  test('is the first screen after sign-up: base URL, a token in one click, filled-in examples and the models', async ({ page }) => {
    await page.goto('/signup');
    await page.getByLabel('Name').fill('New Person');
    await page.getByLabel('Email').fill(uniqueEmail('first'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/get-started$/);
    await expect(page.getByRole('heading', { name: 'Get started', level: 1 })).toBeVisible();
    await expect(page.getByTestId('base-url')).toHaveText(`${WEB_ORIGIN}/api/v1`);

    await page.getByRole('button', { name: 'Create a token' }).click();
    const token = (await page.getByTestId('get-started-token').textContent())!;
    expect(token).toMatch(/^aius_[0-9A-Za-z]{38}$/);
    await expect(page.getByRole('status').getByText('Token created')).toBeVisible();

    // Every example carries this server's base URL and the new token.
    for (const tab of ['curl', 'Python (OpenAI SDK)', 'JavaScript (OpenAI SDK)', 'CLI / environment']) {
      await page.getByRole('tab', { name: tab }).click();
      const code = page.getByRole('tabpanel');
      await expect(code).toContainText(token);
      await expect(code).toContainText(`${WEB_ORIGIN}/api/v1`);
    }

    // The models come from GET /models with the new token (the e2e API serves the fake upstream's).
    await expect(page.getByTestId('models').locator('li').first()).toBeVisible();
    const firstModel = (await page.getByTestId('models').locator('code').first().textContent())!;
    await page.getByRole('tab', { name: 'curl' }).click();
    await expect(page.getByRole('tabpanel')).toContainText(`"model": "${firstModel}"`);

    // The token works as filled in.
    const res = await page.request.get(`${WEB_ORIGIN}/api/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status()).toBe(200);

    // The example's call, made as written: the e2e API's upstream does not answer, so it fails
    // with a 503, and usage counts it as a failed call.
    const chat = await page.request.post(`${WEB_ORIGIN}/api/v1/chat/completions`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      data: { model: firstModel, messages: [{ role: 'user', content: 'Hello!' }] },
    });
    expect(chat.status()).toBe(503);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Usage' }).click();
    await expect(page).toHaveURL(/\/usage$/);
    // The usage flush runs every second; reload until the call is in.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('failed-calls')).toHaveText('1', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    const totals = page.getByLabel('Totals for the period');
    await expect(totals.getByRole('definition').first()).toHaveText('1');
    await expect(page.getByRole('row', { name: new RegExp(`^${firstModel} 1 1 `) })).toBeVisible();
    await expect(page.getByText('No calls in this period yet.')).toHaveCount(0);
  });

  test('the usage page of an organization without calls says so and points to Get started', async ({ page }) => {
    await signUp(page, 'Quiet Person', uniqueEmail('quiet'));
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Usage' }).click();
    await expect(page.getByText('No calls in this period yet.')).toBeVisible();
    await expect(page.getByTestId('failed-calls')).toHaveText('0');
    await page.getByRole('link', { name: 'Make a first call' }).click();
    await expect(page.getByRole('heading', { name: 'Get started', level: 1 })).toBeVisible();
  });
});
