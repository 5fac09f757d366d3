import { describe, expect, it } from 'vitest';
import { ERRORS, forkName, passwordWeakness, registerRequest, routes, validationError } from './index.js';

/** The error a register body answers with, as the API's validation pipe picks it. */
function registerError(body: Record<string, unknown>) {
  const parsed = registerRequest.safeParse(body);
  if (parsed.success) throw new Error('expected the body to fail');
  return validationError(parsed.error.issues);
}

describe('error registry', () => {
  it('spells every gateway string of the spec exactly', () => {
    const strings = Object.values(ERRORS).filter((e) => e.envelope === 'string').map((e) => e.message);
    expect(strings).toEqual(
      expect.arrayContaining([
        'missing bearer token', 'invalid authorization header', 'invalid bearer token', 'invalid token',
        'token_name is required', 'no session cookie', 'invalid session', 'token not found', 'invalid token id',
        'rate limit exceeded', 'Failed to reach account service', 'Failed to reach upstream service', 'Not Found',
        'Method Not Allowed', 'model not allowed for this token',
      ]),
    );
  });

  it('gives every structured code the status of the spec table', () => {
    expect(ERRORS.EMAIL_ALREADY_EXISTS.status).toBe(409);
    expect(ERRORS.INVALID_CREDENTIALS.status).toBe(401);
    expect(ERRORS.NO_ACCESS.status).toBe(403);
    expect(ERRORS['2FA_NOT_STARTED'].status).toBe(400);
    expect(ERRORS.LAST_OWNER.status).toBe(409);
    expect(ERRORS.INSUFFICIENT_CREDITS).toMatchObject({ status: 402, message: 'Insufficient credits' });
    expect(ERRORS.MODEL_NOT_ALLOWED.status).toBe(403);
  });

  it('answers a body failing several checks with the one the spec checks first, whatever the field order', () => {
    // Every field wrong at once: the name's absence is reported, not the bad email or the weak password.
    expect(registerError({ password: 'x', email: 'bad', name: '' }).key).toBe('MISSING_NAME');
    // Anything the schema did not name is INVALID_REQUEST, and it outranks a format or strength check.
    expect(validationError([{ message: 'PASSWORD_TOO_WEAK' }, { message: 'Expected string, received number' }]).key).toBe('INVALID_REQUEST');
    expect(validationError([]).key).toBe('INVALID_REQUEST');
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
    expect(registerError({ name: 'Ada', email: '', password: '' }).key).toBe('MISSING_EMAIL');
    expect(registerError({ name: 'Ada', email: 'bad', password: '' }).key).toBe('MISSING_PASSWORD');
    expect(registerError({ name: 'Ada', email: 'bad', password: 'x' }).key).toBe('INVALID_EMAIL');
    expect(registerError({ name: 'Ada', email: 'ada@example.com', password: 'abcdefgh' })).toEqual({
      key: 'PASSWORD_TOO_WEAK',
      message: 'Password must contain at least one number',
    });
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
