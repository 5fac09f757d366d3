import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE, type User } from '@aius/contracts';

export interface RegisteredUser {
  user: User;
  sessionToken: string;
  /** Ready for a `Cookie` request header: `__Host-aius_session=<jwt>`. */
  cookie: string;
  email: string;
  password: string;
}

/** A strong password that passes every rule of the password policy. */
export const TEST_PASSWORD = 'correct-horse-9!';

/**
 * Creates an account through the real `POST /register` (so every test user is made the
 * way real ones are). `base` is the API base, e.g. `t.base` from startTestApp().
 */
export async function registerUser(
  base: string,
  overrides: { email?: string; name?: string; password?: string } = {},
): Promise<RegisteredUser> {
  const email = overrides.email ?? `user-${randomBytes(6).toString('hex')}@example.com`;
  const password = overrides.password ?? TEST_PASSWORD;
  const res = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: overrides.name ?? 'Test User', password }),
  });
  const body = (await res.json()) as { user: User; session_token: string };
  if (res.status !== 200) throw new Error(`registerUser: ${res.status} ${JSON.stringify(body)}`);
  return { user: body.user, sessionToken: body.session_token, cookie: `${SESSION_COOKIE}=${body.session_token}`, email, password };
}
