/** What a debit settled here needs for UnwrittenDebits: its client, its cost, and its place among that client's settles. */
export interface CountedDebit {
  clientId: string;
  amount: number;
  /** Set by `settled`; -1 once written or dropped. */
  seq: number;
}

/** A balance loaded here while some of the client's debits were unwritten: `covers` of them are still to be written. */
interface Load {
  gen: string;
  /** The client's settle count when it was loaded: debits settled before it were unwritten then, unless written by then. */
  seq: number;
  covers: number;
}

interface ClientDebits {
  /** Settles so far (while the client has unwritten debits or loads that count some). */
  next: number;
  count: number;
  sum: number;
  loads: Load[];
}

/**
 * The debits this instance settled and has not yet written, per client, as a balance loaded from
 * the ledger must count them (CreditGate): their sum, taken off the balance at the load, and for
 * each debit the loads that counted it (`countedIn`, see WrittenCost), known when it is written.
 * It keeps a sum and a sequence number per client instead of the debits themselves: a debit waits
 * up to a batch interval to be written, long enough for the young generation to promote whatever
 * keeps it, and at saturation thousands wait at once; a set of them cost an entry and a
 * `countedIn` array per call, this costs a number on the debit. Loads are rare (a miss, an expiry,
 * an admin change), so the few a client has are searched per written debit.
 */
export class UnwrittenDebits {
  private readonly clients = new Map<string, ClientDebits>();

  /** A debit settled: unwritten until `written` (or `dropped`). */
  settled(d: CountedDebit): void {
    let c = this.clients.get(d.clientId);
    if (!c) this.clients.set(d.clientId, (c = { next: 0, count: 0, sum: 0, loads: [] }));
    d.seq = c.next++;
    c.count++;
    c.sum += d.amount;
  }

  /**
   * A balance of the client is being loaded as `gen`: what its unwritten debits sum to, which the
   * balance takes off what the ledger holds. Those debits count as spent in `gen` from now on.
   */
  loading(clientId: string, gen: string): number {
    const c = this.clients.get(clientId);
    if (!c || c.count === 0) return 0;
    c.loads.push({ gen, seq: c.next, covers: c.count });
    return c.sum;
  }

  /** The debit is in the ledger: the gens of the loads that counted it as unwritten, comma-separated ('' when none). */
  written(d: CountedDebit): string {
    return this.forget(d);
  }

  /** The debit was given up (refused by Postgres, or past what a writer keeps): no longer unwritten. */
  dropped(d: CountedDebit): void {
    this.forget(d);
  }

  private forget(d: CountedDebit): string {
    const c = this.clients.get(d.clientId);
    if (!c || d.seq < 0) return '';
    c.count--;
    c.sum -= d.amount;
    let countedIn = '';
    if (c.loads.length > 0) {
      for (const load of c.loads) {
        if (load.seq <= d.seq) continue;
        countedIn = countedIn === '' ? load.gen : `${countedIn},${load.gen}`;
        load.covers--;
      }
      c.loads = c.loads.filter((load) => load.covers > 0);
    }
    d.seq = -1;
    if (c.count === 0) this.clients.delete(d.clientId);
    return countedIn;
  }
}
