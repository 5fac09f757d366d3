import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, refusalOf } from '@aius/db';
import { ApiError } from '../../src/common/api-error.js';
import { refusalError } from '../../src/common/database-refusals.js';

/** The shape Prisma 7 gives a failed raw query over the pg adapter (as seen on a real cancel). */
const rawQueryError = (code: string) =>
  Object.assign(new Error('Raw query failed.'), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2010',
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'postgres', code, originalCode: code } } },
  });

describe(isDatabaseUnavailable.name, () => {
  it('sees a statement timeout (57014) inside a P2010 raw-query error as the database not answering', () => {
    expect(isDatabaseUnavailable(rawQueryError('57014'))).toBe(true);
  });

  it('does not take a constraint violation wrapped the same way for an outage', () => {
    expect(isDatabaseUnavailable(rawQueryError('23505'))).toBe(false);
  });

  it('follows cause chains to a refused connection, and stops on cycles', () => {
    const inner = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new Error('outer', { cause: new Error('middle', { cause: inner }) }))).toBe(true);
    const loop: { cause?: unknown; message: string } = { message: 'loop' };
    loop.cause = loop;
    expect(isDatabaseUnavailable(loop)).toBe(false);
  });
});

describe(refusalOf.name, () => {
  const prismaError = (code: string) => Object.assign(new Error('Invalid `prisma.x.y()` invocation'), { name: 'PrismaClientKnownRequestError', code });

  it('names a taken unique key, a missing row and a broken reference, from Prisma or from Postgres', () => {
    expect(refusalOf(prismaError('P2002'))).toBe('unique');
    expect(refusalOf(rawQueryError('23505'))).toBe('unique');
    expect(refusalOf(prismaError('P2025'))).toBe('missing');
    expect(refusalOf(prismaError('P2003'))).toBe('foreign-key');
    expect(refusalOf(new Error('wrapped', { cause: rawQueryError('23503') }))).toBe('foreign-key');
  });

  it('is null for outages and for anything else', () => {
    expect(refusalOf(rawQueryError('57014'))).toBeNull();
    expect(refusalOf(prismaError('P2010'))).toBeNull();
    expect(refusalOf(new Error('boom'))).toBeNull();
  });
});

describe(refusalError.name, () => {
  it('maps a missing row or a broken reference to NOT_FOUND unless the service names another code', () => {
    expect(refusalError(Object.assign(new Error('x'), { code: 'P2025' }))?.key).toBe('NOT_FOUND');
    expect(refusalError(Object.assign(new Error('x'), { code: 'P2003' }), { 'foreign-key': 'USER_NOT_FOUND' })?.key).toBe('USER_NOT_FOUND');
  });

  it('maps a taken unique key only to the code the service names: elsewhere it is a bug, not a user error', () => {
    const taken = Object.assign(new Error('x'), { code: 'P2002' });
    expect(refusalError(taken)).toBeNull();
    const mapped = refusalError(taken, { unique: 'EMAIL_ALREADY_EXISTS' });
    expect(mapped).toBeInstanceOf(ApiError);
    expect(mapped?.status).toBe(409);
  });

  it('leaves outages alone (they are 503s, decided by the filter)', () => {
    expect(refusalError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), { unique: 'EMAIL_ALREADY_EXISTS' })).toBeNull();
  });
});
