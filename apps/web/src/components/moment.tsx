import { formatFull, formatMoment } from '@/lib/format';

/** A point in time in a few characters, the full date and time on hover and for machines. */
export function Moment({ seconds }: { seconds: number }) {
  return (
    <time dateTime={new Date(seconds * 1000).toISOString()} title={formatFull(seconds)}>
      {formatMoment(seconds)}
    </time>
  );
}
