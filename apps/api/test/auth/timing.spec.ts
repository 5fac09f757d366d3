import { call, registerUser, type RegisteredUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let ada: RegisteredUser;
beforeAll(async () => {
  t = await startTestApp();
  ada = await registerUser(t.origin);
});
afterAll(async () => {
  await t?.close();
});

async function timedLogin(email: string): Promise<number> {
  const started = performance.now();
  const res = await call(t.origin, 'login', { body: { email, password: 'not-the-password-1!' } });
  expect(res.status).toBe(401);
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('login timing', () => {
  it('an unknown email costs about what a wrong password costs (no enumeration by timing)', async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    await timedLogin(ada.email); // warm-up
    for (let i = 0; i < 12; i++) {
      // Interleaved, so load from other processes hits both series alike.
      known.push(await timedLogin(ada.email));
      unknown.push(await timedLogin(`nobody-${i}@example.com`));
    }
    const ratio = median(unknown) / median(known);
    console.log(`login timing: wrong password median ${median(known).toFixed(1)} ms, unknown email ${median(unknown).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`);
    // Skipping the hash for unknown emails would make this ratio about 0.05.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
