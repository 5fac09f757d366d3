import { anyCause, isTransient } from '@aius/db';

/** What became of the rows handed to `writeBatched`. */
export interface BatchOutcome<T> {
  /** Rows the database refused on their own (each was tried alone): never worth a retry. */
  rejected: T[];
  /** Why the first of them was refused, for the caller's one log line. */
  reason?: unknown;
  /** Rows not written because the database stopped answering: the caller keeps them for a retry. */
  unwritten: T[];
  /** That outage, when there was one. */
  outage?: unknown;
}

/**
 * The rule for every batched writer (usage events, last-used, and the audit/outbox writers to
 * come): one bad row must never cost the good rows of the same batch. Rows are written `chunk`
 * at a time, each chunk by ONE call of `write` (one statement, so one transaction: what it
 * writes stays consistent, e.g. events and their rollups). When the database refuses a chunk
 * for a reason other than an outage, the chunk is split in halves and each half written on its
 * own, down to single rows: k bad rows in n cost about 2·k·log2(n) extra statements, and only
 * the bad rows are lost. While the database is unreachable (or a lock conflict aborts a
 * statement) nothing is split or dropped: the rows not yet written are handed back.
 */
export async function writeBatched<T>(rows: readonly T[], write: (rows: readonly T[]) => Promise<void>, chunk = rows.length): Promise<BatchOutcome<T>> {
  const outcome: BatchOutcome<T> = { rejected: [], unwritten: [] };
  const size = Math.max(1, chunk);
  for (let start = 0; start < rows.length; start += size) {
    await writeIsolating(rows.slice(start, start + size), write, outcome);
    if (outcome.outage !== undefined) {
      outcome.unwritten.push(...rows.slice(start + size));
      break;
    }
  }
  return outcome;
}

async function writeIsolating<T>(rows: T[], write: (rows: readonly T[]) => Promise<void>, outcome: BatchOutcome<T>): Promise<void> {
  if (outcome.outage !== undefined) {
    outcome.unwritten.push(...rows);
    return;
  }
  try {
    await write(rows);
  } catch (error) {
    if (isTransient(error)) {
      outcome.outage = error;
      outcome.unwritten.push(...rows);
    } else if (rows.length === 1) {
      outcome.rejected.push(rows[0]!);
      outcome.reason ??= error;
    } else {
      const half = Math.ceil(rows.length / 2);
      await writeIsolating(rows.slice(0, half), write, outcome);
      await writeIsolating(rows.slice(half), write, outcome);
    }
  }
}

/** The one log line for a batch's refused rows: how many, and the database's own reason. */
export function rejectionSummary(what: string, outcome: BatchOutcome<unknown>): string {
  // Prisma wraps the driver's error (see anyCause): its innermost message is Postgres's own.
  let reason = String(outcome.reason);
  anyCause(outcome.reason, (e) => {
    const message = typeof e.message === 'string' ? e.message.trim() : '';
    if (message) reason = `${typeof e.code === 'string' ? `${e.code} ` : ''}${message.split('\n')[0]}`;
    return false;
  });
  return `${outcome.rejected.length} ${what} rejected by the database and dropped (the rest of the batch was written): ${reason}`;
}
