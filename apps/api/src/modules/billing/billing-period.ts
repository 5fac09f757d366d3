/**
 * A plan's period is a UTC calendar month (decided: the same instant for every client and every
 * instance, computed from the date, never from when a reset job happened to run).
 */
export function periodAt(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}
