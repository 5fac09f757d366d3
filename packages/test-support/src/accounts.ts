import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE, type CreateTokenRequest, type User } from '@aius/contracts';
import { callOk } from './http.js';

/** A strong password that passes every rule of the password policy. */
export const TEST_PASSWORD = 'correct-horse-9!';

export interface RegisteredUser {
  user: User;
  sessionToken: string;
  /** Ready for a `Cookie` request header: `__Host-aius_session=<jwt>`. */
  cookie: string;
  email: string;
  password: string;
}

export interface TokenHolder extends RegisteredUser {
  token: string;
  tokenId: number;
  clientId: string;
}

/**
 * Creates an account through the real `register` route (so every test user is made the way
 * real ones are), at the API whose origin is `origin` (`http://127.0.0.1:PORT`).
 */
export async function registerUser(origin: string, overrides: { email?: string; name?: string; password?: string } = {}): Promise<RegisteredUser> {
  const email = overrides.email ?? `user-${randomBytes(6).toString('hex')}@example.com`;
  const password = overrides.password ?? TEST_PASSWORD;
  const body = await callOk(origin, 'register', { body: { email, name: overrides.name ?? 'Test User', password } });
  return { user: body.user, sessionToken: body.session_token, cookie: `${SESSION_COOKIE}=${body.session_token}`, email, password };
}

/**
 * A user (a new one, or `holder`) with an `aius_…` token minted the real way (`createToken` with
 * their session), for their default client or `request.client_id`.
 */
export async function userWithToken(
  origin: string,
  options: { holder?: RegisteredUser; request?: Partial<CreateTokenRequest> } = {},
): Promise<TokenHolder> {
  const user = options.holder ?? (await registerUser(origin));
  const minted = await callOk(origin, 'createToken', { body: { token_name: 'test token', ...options.request }, as: { cookie: user.cookie } });
  return { ...user, token: minted.token, tokenId: minted.id, clientId: minted.client_id };
}
