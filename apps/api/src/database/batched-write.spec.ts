import { describe, expect, it } from 'vitest';
import { writeBatched } from './batched-write.js';

const refused = () => Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' });
const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/** A statement that fails whenever it contains a bad row, like Postgres refusing the whole statement. */
function table(bad: (row: number) => boolean, failWith = refused) {
  const stored: number[] = [];
  const statements: number[][] = [];
  const write = async (rows: readonly number[]) => {
    statements.push([...rows]);
    if (rows.some(bad)) throw failWith();
    stored.push(...rows);
  };
  return { stored, statements, write };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('writeBatched', () => {
  it('writes a clean batch in one statement per chunk', async () => {
    const t = table(() => false);
    const outcome = await writeBatched(range(10), t.write, 4);
    expect(t.statements.map((s) => s.length)).toEqual([4, 4, 2]);
    expect(t.stored).toEqual(range(10));
    expect(outcome).toEqual({ rejected: [], unwritten: [] });
  });

  it('keeps every good row of a batch with bad ones in it, and names only the bad ones', async () => {
    const t = table((row) => row === 7 || row === 13);
    const outcome = await writeBatched(range(21), t.write);
    expect(t.stored.sort((a, b) => a - b)).toEqual(range(21).filter((r) => r !== 7 && r !== 13));
    expect(outcome.rejected).toEqual([7, 13]);
    expect((outcome.reason as Error).message).toMatch(/invalid input/);
    expect(outcome.unwritten).toEqual([]);
    // Bisection, not a statement per row.
    expect(t.statements.length).toBeLessThan(21);
  });

  it('splits nothing and drops nothing while the database is unreachable: every row is handed back', async () => {
    const t = table(() => true, unreachable);
    const outcome = await writeBatched(range(10), t.write, 4);
    expect(t.statements).toHaveLength(1);
    expect(outcome.rejected).toEqual([]);
    expect(outcome.unwritten.sort((a, b) => a - b)).toEqual(range(10));
  });

  it('hands back what is left when the database goes away in the middle of isolating a bad row', async () => {
    let calls = 0;
    const stored: number[] = [];
    const write = async (rows: readonly number[]) => {
      calls++;
      if (calls === 1) throw refused();
      if (calls >= 3) throw unreachable();
      stored.push(...rows);
    };
    const outcome = await writeBatched(range(8), write);
    expect(stored).toEqual([0, 1, 2, 3]);
    expect(outcome.rejected).toEqual([]);
    expect(outcome.unwritten.sort((a, b) => a - b)).toEqual([4, 5, 6, 7]);
  });
});
