import { describe, expect, it } from 'vitest';
import { newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';

const SESSION_SECRET = 'a-session-secret-that-is-long-enough-0123456789';
const crypto = new TwoFactorCrypto({ SESSION_SECRET, TOTP_ENCRYPTION_KEY: undefined });

describe(TwoFactorCrypto.name, () => {
  it('seals and opens a secret for its user', () => {
    const sealed = crypto.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'usr_a');
    expect(sealed).not.toContain('JBSWY3DP');
    expect(crypto.open(sealed, 'usr_a')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(crypto.seal('same', 'usr_a')).not.toBe(crypto.seal('same', 'usr_a'));
  });

  it('a box copied to another user, tampered with or opened under another key does not open', () => {
    const sealed = crypto.seal('secret', 'usr_a');
    expect(crypto.open(sealed, 'usr_b')).toBeNull();
    const [iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0]! ^= 1;
    expect(crypto.open(`${iv}.${tag}.${flipped.toString('base64url')}`, 'usr_a')).toBeNull();
    expect(crypto.open('garbage', 'usr_a')).toBeNull();
    const other = new TwoFactorCrypto({ SESSION_SECRET, TOTP_ENCRYPTION_KEY: 'ab'.repeat(32) });
    expect(other.open(sealed, 'usr_a')).toBeNull();
    expect(other.open(other.seal('secret', 'usr_a'), 'usr_a')).toBe('secret');
  });

  it('accepts TOTP_ENCRYPTION_KEY as hex or base64 (the same 32 bytes give the same key)', () => {
    const bytes = Buffer.alloc(32, 7);
    const hex = new TwoFactorCrypto({ SESSION_SECRET, TOTP_ENCRYPTION_KEY: bytes.toString('hex') });
    const b64 = new TwoFactorCrypto({ SESSION_SECRET, TOTP_ENCRYPTION_KEY: bytes.toString('base64') });
    expect(b64.open(hex.seal('x', 'usr_a'), 'usr_a')).toBe('x');
  });

  it('recovery-code hashes are keyed: same code, other key, other hash', () => {
    const other = new TwoFactorCrypto({ SESSION_SECRET: `${SESSION_SECRET}!`, TOTP_ENCRYPTION_KEY: undefined });
    expect(crypto.recoveryCodeHash('abcde')).toBe(crypto.recoveryCodeHash('abcde'));
    expect(crypto.recoveryCodeHash('abcde')).not.toBe(other.recoveryCodeHash('abcde'));
    expect(crypto.recoveryCodeHash('abcde')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('recovery codes', () => {
  it('ten distinct readable codes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
  });

  it('normalises case, spaces and the dash', () => {
    expect(normalizeRecoveryCode(' AbCdE-fGhJk ')).toBe('abcdefghjk');
    expect(normalizeRecoveryCode('abcde fghjk')).toBe('abcdefghjk');
  });
});
