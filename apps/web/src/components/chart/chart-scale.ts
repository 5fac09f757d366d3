/** A round axis maximum at or above `max` (1, 2, 2.5 or 5 × a power of ten), and its ticks. */
export function niceScale(max: number, tickCount = 4): { top: number; ticks: number[] } {
  if (!(max > 0)) return { top: 1, ticks: [0, 1] };
  const raw = max / tickCount;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { top, ticks };
}

/** 1234 → "1.2k", 2500000 → "2.5M": short labels for the axis. */
export function compact(n: number): string {
  return new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** The inclusive UTC day range ending today, as the API's `from`/`to` take it. */
export function lastDays(days: number, now = Date.now()): { from: string; to: string } {
  const day = 86_400_000;
  const today = Math.floor(now / day) * day;
  return { from: new Date(today - (days - 1) * day).toISOString().slice(0, 10), to: new Date(today).toISOString().slice(0, 10) };
}
