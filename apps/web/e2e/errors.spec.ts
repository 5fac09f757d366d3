import { PASSWORD, API_BASE, expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

test.describe('errors read as sentences beside what caused them', () => {
  test('sign-up checks the form with the API schema before sending, then shows the server’s verdict', async ({ page, request }, testInfo) => {
    const taken = uniqueEmail('taken');
    expect((await request.post(`${API_BASE}/register`, { data: { name: 'First', email: taken, password: PASSWORD } })).status()).toBe(200);

    await page.goto('/signup');
    const sent: string[] = [];
    // Only a submission counts: the page may read the server's sign-up mode (GET /instance) on its own.
    page.on('request', (r) => r.url().includes('/api/') && r.method() !== 'GET' && sent.push(r.url()));
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByText('Enter a name.')).toBeVisible();
    await expect(page.getByText('Enter your email address.')).toBeVisible();
    await expect(page.getByText('Enter your password.')).toBeVisible();
    await expect(page.getByLabel('Name')).toBeFocused();

    await page.getByLabel('Name').fill('Second');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('longenough');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByText('That doesn’t look like an email address.')).toBeVisible();
    await expect(page.getByText('Password must contain at least one number.')).toBeVisible();
    expect(sent, 'invalid input never reaches the API').toEqual([]);

    await page.getByLabel('Email').fill(taken.toUpperCase());
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    const emailError = page.getByText('An account with this email already exists. Try signing in instead.');
    await expect(emailError).toBeVisible();
    // Announced with the field it belongs to.
    await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Email')).toHaveAccessibleDescription(/already exists/);
    await expect(page.locator('body')).not.toContainText('{"detail"');
    await snap(page, testInfo, 'signup-errors');
  });

  test('a wrong password is refused without saying which part was wrong', async ({ page }, testInfo) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(uniqueEmail('nobody'));
    await page.getByLabel('Password').fill('Wrong-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toHaveText('That email and password don’t match an account.');
    await snap(page, testInfo, 'login-error');
  });

  test('members: an unknown email is explained at the field, the last owner cannot leave, others can be removed', async ({ page, request }, testInfo) => {
    await signUp(page, 'Org Owner', uniqueEmail('owner'));
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByRole('link', { name: /^Members of / }).first().click();
    const add = page.getByRole('region', { name: 'Add a member' });
    await add.getByLabel('Email').fill(uniqueEmail('ghost'));
    await add.getByRole('button', { name: 'Add member' }).click();
    await expect(page.getByText('No AIUS account uses this email. Ask them to sign up first.')).toBeVisible();
    await expect(add.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');

    // The only owner cannot leave: the refusal is shown inside the confirmation.
    await expect(page.getByRole('listitem').filter({ hasText: 'Org Owner' })).toContainText('(you)');
    await page.getByRole('button', { name: 'Leave this organization' }).click();
    const dialog = page.getByRole('dialog', { name: /^Leave .+\?$/ });
    await dialog.getByRole('button', { name: 'Leave organization' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('An organization needs at least one owner. Make someone else an owner first.');
    await snap(page, testInfo, 'member-errors');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();

    // Someone else can be removed, after confirming.
    const guest = uniqueEmail('guest');
    expect((await request.post(`${API_BASE}/register`, { data: { name: 'Short Stay', email: guest, password: PASSWORD } })).status()).toBe(200);
    await add.getByLabel('Email').fill(guest);
    await add.getByRole('button', { name: 'Add member' }).click();
    await expect(page.getByRole('listitem').filter({ hasText: guest })).toBeVisible();
    await page.getByRole('button', { name: 'Remove Short Stay' }).click();
    await page.getByRole('dialog', { name: 'Remove Short Stay?' }).getByRole('button', { name: 'Remove member' }).click();
    await expect(page.getByRole('listitem').filter({ hasText: guest })).toBeHidden();
  });
});

test.describe('dashboard pages are for signed-in people', () => {
  for (const path of ['/projects', '/organizations', '/tokens', '/security']) {
    test(`${path} sends a visitor without a session to sign in, and back afterwards`, async ({ page }) => {
      await page.goto(path);
      await expect(page).toHaveURL(`/login?next=${encodeURIComponent(path)}`);
    });
  }

  test('a forged session cookie is checked with the API and refused', async ({ page }) => {
    await page.goto('/login');
    await page.evaluate(() => (document.cookie = '__Host-aius_session=eyJhbGciOiJIUzI1NiJ9.e30.forged; Path=/; Secure; SameSite=Lax'));
    expect((await page.context().cookies()).map((c) => c.name)).toContain('__Host-aius_session');
    await page.goto('/tokens');
    await expect(page).toHaveURL(/\/login/);
  });

  test('signing in returns to the page that asked for it', async ({ page, request }) => {
    const email = uniqueEmail('returner');
    expect((await request.post(`${API_BASE}/register`, { data: { name: 'Returner', email, password: PASSWORD } })).status()).toBe(200);
    await page.goto('/tokens');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/tokens$/);
    await expect(page.getByRole('heading', { name: 'API tokens', level: 1 })).toBeVisible();
  });
});
