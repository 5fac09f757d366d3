const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
const full = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const thisYear = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** API timestamps are unix seconds (spec §1). */
export const formatDate = (seconds: number) => date.format(new Date(seconds * 1000));

/** Short enough for a table cell: the time when it is this year, the year otherwise. */
export function formatMoment(seconds: number): string {
  const at = new Date(seconds * 1000);
  return at.getFullYear() === new Date().getFullYear() ? thisYear.format(at) : date.format(at);
}

export const formatFull = (seconds: number) => full.format(new Date(seconds * 1000));
