import type { UsageResponse } from '@aius/contracts';
import { compact, niceScale } from './chart-scale';
import styles from './usage.module.css';

type Day = UsageResponse['daily'][number];
export type ChartMetric = 'total_tokens' | 'requests';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 26, left: 48 };
const METRIC_LABEL: Record<ChartMetric, string> = { total_tokens: 'tokens', requests: 'requests' };

/** One bar per day, as plain SVG: the series is at most a year, so no chart library is needed. */
export function UsageChart({ daily, metric }: { daily: Day[]; metric: ChartMetric }) {
  const values = daily.map((d) => d[metric]);
  const { top, ticks } = niceScale(Math.max(0, ...values));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, daily.length);
  const barW = Math.max(1, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // About six date labels whatever the range.
  const labelEvery = Math.max(1, Math.ceil(daily.length / 6));
  const total = values.reduce((a, b) => a + b, 0);
  const summary = `${METRIC_LABEL[metric]} per day from ${daily[0]?.date ?? ''} to ${daily.at(-1)?.date ?? ''}: ${total.toLocaleString('en-US')} in total`;

  return (
    <svg className={styles.chart} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
      {ticks.map((t) => (
        <g key={t}>
          <line className={styles.grid} x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} />
          <text className={styles.axis} x={PAD.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
            {compact(t)}
          </text>
        </g>
      ))}
      {daily.map((d, i) => {
        const x = PAD.left + i * slot + (slot - barW) / 2;
        const v = d[metric];
        return (
          <g key={d.date}>
            {v > 0 ? (
              <rect className={styles.bar} data-testid="usage-bar" x={x} y={y(v)} width={barW} height={Math.max(1, PAD.top + plotH - y(v))} rx={Math.min(2, barW / 4)}>
                <title>{`${d.date}: ${v.toLocaleString('en-US')} ${METRIC_LABEL[metric]}`}</title>
              </rect>
            ) : null}
            {i % labelEvery === 0 ? (
              <text className={styles.axis} x={x + barW / 2} y={HEIGHT - 8} textAnchor="middle">
                {d.date.slice(5)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
