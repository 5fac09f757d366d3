import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/common/error-response.js';

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
