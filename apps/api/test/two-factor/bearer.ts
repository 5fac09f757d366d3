import { registerUser } from '../support/accounts.js';
import type { TestApp } from '../support/test-app.js';
import { call } from '../auth/support.js';

/** A registered user with an API token minted with their session. */
export async function userWithTokenFor(t: TestApp) {
  const user = await registerUser(t.base);
  const minted = await call(t, 'POST', '/tokens', { cookie: user.cookie, body: { token_name: '2fa test' } });
  if (minted.status !== 200) throw new Error(`mint: ${minted.status}`);
  return { ...user, token: minted.body.token as string };
}
