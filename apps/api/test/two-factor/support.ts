import { call, ok, registerUser, type Answer, type RegisteredUser } from '@aius/test-support';
import { setTimeout as sleep } from 'node:timers/promises';
import { generate } from 'otplib';
import type { TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';

const PERIOD = 30;
const currentStep = () => Math.floor(Date.now() / 1000 / PERIOD);

export const codeAt = (secret: string, step: number) => generate({ secret, epoch: step * PERIOD });

/**
 * A TOTP code the server will accept now: the lowest step in its ±1 window above the last
 * step it recorded for the user (read from the database, so tests need not track it).
 * Near a step boundary it first waits the boundary out, so the server sees the same window.
 */
export async function freshCode(t: TestApp, userId: string, secret: string): Promise<string> {
  for (;;) {
    const intoStep = (Date.now() / 1000) % PERIOD;
    if (intoStep > PERIOD - 2) await sleep((PERIOD - intoStep) * 1000 + 50);
    const [row] = await sql<{ last_used_step: string | null }>(t, 'SELECT last_used_step FROM two_factor WHERE user_id = $1', [userId]);
    const last = row?.last_used_step == null ? null : Number(row.last_used_step);
    const now = currentStep();
    const step = Math.max(now - 1, last === null ? now - 1 : last + 1);
    if (step <= now + 1) return codeAt(secret, step);
    await sleep((PERIOD - ((Date.now() / 1000) % PERIOD)) * 1000 + 50); // window used up: next step
  }
}

/** A six-digit code that matches no step anywhere near now. */
export async function wrongCode(secret: string): Promise<string> {
  const now = currentStep();
  const near = new Set(await Promise.all([-2, -1, 0, 1, 2].map((d) => codeAt(secret, now + d))));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

export interface TwoFactorUser extends RegisteredUser {
  secret: string;
  recoveryCodes: string[];
}

/** Registers a user and turns 2FA on through the real endpoints. */
export async function userWithTwoFactor(t: TestApp): Promise<TwoFactorUser> {
  const user = await registerUser(t.origin);
  const setup = await call(t.origin, 'twoFactorSetup', { as: { cookie: user.cookie } });
  const secret = ok(setup).secret;
  const enable = await call(t.origin, 'twoFactorEnable', { body: { code: await freshCode(t, user.user.id, secret) }, as: { cookie: user.cookie } });
  return { ...user, secret, recoveryCodes: ok(enable).recovery_codes };
}

/** Password step of a 2FA login: the challenge token. */
export async function challengeFor(t: TestApp, user: RegisteredUser): Promise<string> {
  return challengeToken(await call(t.origin, 'login', { body: { email: user.email, password: user.password } }));
}

/** The challenge token of a login answered "2FA required"; throws on any other answer. */
export function challengeToken(answer: Answer<'login'>): string {
  const body = ok(answer);
  if (!('challenge_token' in body)) throw new Error(`login: no challenge in ${JSON.stringify(body)}`);
  return body.challenge_token;
}

/** The session token of a login that needed no second factor; throws on any other answer. */
export function sessionToken(answer: Answer<'login'>): string {
  const body = ok(answer);
  if (!('session_token' in body)) throw new Error(`login: no session in ${JSON.stringify(body)}`);
  return body.session_token;
}
