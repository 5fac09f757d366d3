import { describe, expect, it } from 'vitest';
import { type CountedDebit, UnwrittenDebits } from '../../src/modules/billing/unwritten-debits.js';

const debit = (amount: number, clientId = 'c1'): CountedDebit => ({ clientId, amount, seq: 0 });

/** What a balance loaded from the ledger must take off for this instance's debits not yet written, and which loads counted each. */
describe('UnwrittenDebits', () => {
  it('a load counts what is settled and unwritten, of its client only', () => {
    const u = new UnwrittenDebits();
    const [a, b, c] = [debit(5), debit(7), debit(11, 'c2')];
    [a, b, c].forEach((d) => u.settled(d));
    u.written(a);
    expect(u.loading('c1', 'g1')).toBe(7);
    expect(u.loading('c2', 'g2')).toBe(11);
    expect(u.loading('c3', 'g3')).toBe(0);
  });

  it('names the loads that counted a debit when it is written, and only those', () => {
    const u = new UnwrittenDebits();
    const before = debit(1);
    u.settled(before);
    u.loading('c1', 'aaaaaaaaaaaa');
    const between = debit(2);
    u.settled(between);
    u.loading('c1', 'bbbbbbbbbbbb');
    const after = debit(3);
    u.settled(after);
    expect(u.written(between)).toBe('bbbbbbbbbbbb');
    expect(u.written(after)).toBe('');
    expect(u.written(before)).toBe('aaaaaaaaaaaa,bbbbbbbbbbbb');
  });

  it('a debit given up no longer counts, and is never reported twice', () => {
    const u = new UnwrittenDebits();
    const [a, b] = [debit(5), debit(7)];
    u.settled(a);
    u.settled(b);
    u.dropped(a);
    expect(u.loading('c1', 'g1')).toBe(7);
    expect(u.written(a)).toBe('');
    expect(u.written(b)).toBe('g1');
    expect(u.written(b)).toBe('');
    expect(u.loading('c1', 'g2')).toBe(0);
  });

  it('keeps nothing of a client once all its debits are written: later debits are not counted in earlier loads', () => {
    const u = new UnwrittenDebits();
    const a = debit(5);
    u.settled(a);
    u.loading('c1', 'g1');
    u.written(a);
    const b = debit(7);
    u.settled(b);
    expect(u.written(b)).toBe('');
    const c = debit(9);
    u.settled(c);
    expect(u.loading('c1', 'g2')).toBe(9);
  });

  it('sums exactly over many debits', () => {
    const u = new UnwrittenDebits();
    const ds = Array.from({ length: 10_000 }, (_, i) => debit(1_000_003 + i));
    ds.forEach((d) => u.settled(d));
    ds.slice(0, 5_000).forEach((d) => u.written(d));
    expect(u.loading('c1', 'g')).toBe(ds.slice(5_000).reduce((n, d) => n + d.amount, 0));
  });
});
