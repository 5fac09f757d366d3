import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import { matchTotpStep, newTotpSecret, otpauthUrl } from './totp.js';

const secret = newTotpSecret();
const at = (step: number) => generate({ secret, epoch: step * 30 });
const STEP = 59_000_000; // a fixed point in time: step × 30 s
const now = STEP * 30 + 10;

describe('TOTP window', () => {
  it('accepts codes of the current step and one step either side, and says which step', async () => {
    expect(await matchTotpStep(secret, await at(STEP), null, now)).toBe(STEP);
    expect(await matchTotpStep(secret, await at(STEP - 1), null, now)).toBe(STEP - 1);
    expect(await matchTotpStep(secret, await at(STEP + 1), null, now)).toBe(STEP + 1);
  });

  it('refuses codes two steps away', async () => {
    expect(await matchTotpStep(secret, await at(STEP - 2), null, now)).toBeNull();
    expect(await matchTotpStep(secret, await at(STEP + 2), null, now)).toBeNull();
  });

  it('refuses a code whose step is at or below the last used step (replay)', async () => {
    expect(await matchTotpStep(secret, await at(STEP), STEP, now)).toBeNull();
    expect(await matchTotpStep(secret, await at(STEP - 1), STEP, now)).toBeNull();
    expect(await matchTotpStep(secret, await at(STEP + 1), STEP, now)).toBe(STEP + 1);
  });

  it('refuses everything when the last used step lies beyond the window (clock went back)', async () => {
    expect(await matchTotpStep(secret, await at(STEP), STEP + 5, now)).toBeNull();
  });

  it('refuses anything that is not six digits, and an empty secret', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456']) expect(await matchTotpStep(secret, code, null, now)).toBeNull();
    expect(await matchTotpStep('', await at(STEP), null, now)).toBeNull();
  });

  it('secrets are 160-bit base32', () => {
    expect(newTotpSecret()).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(newTotpSecret());
  });

  it('the otpauth URL has the spec form and escapes the label', () => {
    expect(otpauthUrl('a@b.co', 'ABC')).toBe('otpauth://totp/AIUS:a@b.co?secret=ABC&issuer=AIUS');
    expect(otpauthUrl('x y+z?@b.co', 'ABC')).toBe('otpauth://totp/AIUS:x%20y%2Bz%3F@b.co?secret=ABC&issuer=AIUS');
  });
});
