import { describe, expect, it } from 'vitest';
import { ERRORS, VALIDATION_PRIORITY, forkName, passwordWeakness, registerRequest, routes } from './index.js';

describe('error registry', () => {
  it('spells every gateway string of the spec exactly', () => {
    const strings = Object.values(ERRORS).filter((e) => e.envelope === 'string').map((e) => e.message);
    expect(strings).toEqual(
      expect.arrayContaining([
        'missing bearer token', 'invalid authorization header', 'invalid bearer token', 'invalid token',
        'token_name is required', 'no session cookie', 'invalid session', 'token not found', 'invalid token id',
        'rate limit exceeded', 'Failed to reach account service', 'Failed to reach upstream service', 'Not Found',
        'Method Not Allowed',
      ]),
    );
  });

  it('gives every structured code the status of the spec table', () => {
    expect(ERRORS.EMAIL_ALREADY_EXISTS.status).toBe(409);
    expect(ERRORS.INVALID_CREDENTIALS.status).toBe(401);
    expect(ERRORS.NO_ACCESS.status).toBe(403);
    expect(ERRORS['2FA_NOT_STARTED'].status).toBe(400);
    expect(ERRORS.LAST_OWNER.status).toBe(409);
  });

  it('ranks only known keys for validation', () => {
    for (const key of VALIDATION_PRIORITY) expect(ERRORS[key]).toBeDefined();
  });
});

describe('password policy', () => {
  it('reports the first failing rule in the spec order', () => {
    expect(passwordWeakness('a1!')).toBe('Password must be at least 8 characters');
    expect(passwordWeakness('12345678')).toBe('Password must contain at least one letter');
    expect(passwordWeakness('abcdefgh')).toBe('Password must contain at least one number');
    expect(passwordWeakness('abcdefg1')).toBe('Password must contain at least one special character');
    expect(passwordWeakness('abcdef1 ')).toBeNull(); // a space is a special character
  });

  it('register checks every MISSING_* before INVALID_EMAIL and PASSWORD_TOO_WEAK', () => {
    const r = registerRequest.safeParse({ name: '', email: 'bad', password: 'x' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message)).toContain('MISSING_NAME');
  });
});

describe('fork naming', () => {
  it('numbers forks after the first', () => {
    expect(forkName('Demo', 1)).toBe('Demo (fork)');
    expect(forkName('Demo', 2)).toBe('Demo (fork 2)');
  });
});

describe('route table', () => {
  it('has one entry per method and path', () => {
    const keys = Object.values(routes).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
