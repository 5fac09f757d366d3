import { ApiError } from '../../common/api-error.js';

const DAY_MS = 86_400_000;
/** The longest range one request may ask for; the dashboard asks for 7 to 90 days. */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

export interface DayRange {
  /** Inclusive UTC days, `YYYY-MM-DD`. */
  from: string;
  to: string;
  days: string[];
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `YYYY-MM-DD` (a real calendar day) or unix seconds → the UTC day's midnight in ms. */
function dayStart(value: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(ms) || iso(ms) !== value) throw new ApiError('INVALID_REQUEST', { message: `Invalid date: ${value}` });
    return ms;
  }
  const ms = Number(value) * 1000;
  if (!Number.isSafeInteger(ms) || ms > 253_402_300_799_000) throw new ApiError('INVALID_REQUEST', { message: 'Invalid timestamp' });
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * The inclusive UTC day range of a usage query. `to` defaults to today, `from` to 29 days
 * before `to`; a reversed range or one longer than MAX_RANGE_DAYS is INVALID_REQUEST.
 */
export function dayRange(from: string | undefined, to: string | undefined, now = Date.now()): DayRange {
  const end = to === undefined ? Math.floor(now / DAY_MS) * DAY_MS : dayStart(to);
  const start = from === undefined ? end - (DEFAULT_RANGE_DAYS - 1) * DAY_MS : dayStart(from);
  if (start > end) throw new ApiError('INVALID_REQUEST', { message: '`from` is after `to`' });
  const count = (end - start) / DAY_MS + 1;
  if (count > MAX_RANGE_DAYS) throw new ApiError('INVALID_REQUEST', { message: `The range is limited to ${MAX_RANGE_DAYS} days` });
  const days = Array.from({ length: count }, (_, i) => iso(start + i * DAY_MS));
  return { from: days[0]!, to: days[days.length - 1]!, days };
}
