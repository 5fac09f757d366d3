import { ERRORS, createProjectRequest, registerRequest, type ErrorKey } from '@aius/contracts';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { ERROR_COPY, describeError, fieldOf } from './error-copy';
import { validate } from './form';

describe('describeError', () => {
  it('gives every registry key its own sentence, never the wire text', () => {
    for (const key of Object.keys(ERRORS) as ErrorKey[]) {
      expect(ERROR_COPY[key], key).toMatch(/^[A-Z].*[.!]$/);
      expect(ERROR_COPY[key]).not.toContain(key);
    }
  });

  it('reads a structured envelope by its code', () => {
    const error = ApiError.fromBody(409, { detail: { code: 'EMAIL_ALREADY_EXISTS', message: 'An account with this email already exists' } });
    expect(error.key).toBe('EMAIL_ALREADY_EXISTS');
    expect(describeError(error)).toBe(ERROR_COPY.EMAIL_ALREADY_EXISTS);
    expect(fieldOf(error)).toBe('email');
  });

  it('reads a string envelope by its registered detail', () => {
    const error = ApiError.fromBody(401, { detail: 'invalid token' });
    expect(error.key).toBe('INVALID_TOKEN');
    expect(describeError(error)).toBe(ERROR_COPY.INVALID_TOKEN);
  });

  it('recognises a dead session in either envelope', () => {
    expect(ApiError.fromBody(401, { detail: 'invalid session' }).isSignedOut).toBe(true);
    expect(ApiError.fromBody(401, { detail: { code: 'UNAUTHENTICATED', message: 'x' } }).isSignedOut).toBe(true);
    expect(ApiError.fromBody(401, { detail: { code: 'INVALID_CREDENTIALS', message: 'x' } }).isSignedOut).toBe(false);
  });

  it('uses the exact password rule the API names, and only a known rule', () => {
    const rule = ApiError.fromBody(400, { detail: { code: 'PASSWORD_TOO_WEAK', message: 'Password must contain at least one number' } });
    expect(describeError(rule)).toBe('Password must contain at least one number.');
    const odd = ApiError.fromBody(400, { detail: { code: 'PASSWORD_TOO_WEAK', message: '<b>hi</b>' } });
    expect(describeError(odd)).toBe(ERROR_COPY.PASSWORD_TOO_WEAK);
  });

  it('falls back to plain words for unknown codes, HTML error pages and lost connections', () => {
    expect(describeError(ApiError.fromBody(418, { detail: { code: 'TEAPOT', message: 'short and stout' } }))).toBe('Something went wrong. Please try again.');
    expect(describeError(ApiError.fromBody(502, null))).toBe(ERROR_COPY.INTERNAL_ERROR);
    expect(describeError(new ApiError(0, null, 'network'))).toMatch(/Couldn’t reach AIUS/);
    expect(describeError(new TypeError('boom'))).toBe('Something went wrong. Please try again.');
  });
});

describe('validate', () => {
  it('maps each failing field of the API schema to its copy', () => {
    const result = validate(registerRequest, { name: ' ', email: 'nope', password: 'short' });
    expect(result).toEqual({
      errors: {
        name: ERROR_COPY.MISSING_NAME,
        email: ERROR_COPY.INVALID_EMAIL,
        password: 'Password must be at least 8 characters.',
      },
    });
  });

  it('returns the parsed body the API would see', () => {
    expect(validate(createProjectRequest, { org_id: 'client_1', name: '  Tide  ', description: '' })).toEqual({
      data: { org_id: 'client_1', name: 'Tide', description: '' },
    });
  });
});
