'use client';

import type { UsageResponse } from '@aius/contracts';
import { useEffect, useRef, useState } from 'react';
import { compact, niceScale } from './chart-scale';
import styles from './usage.module.css';

type Day = UsageResponse['daily'][number];
export type ChartMetric = 'total_tokens' | 'requests';

const WIDE = 720;
const HEIGHT = 220;
/** Room one date label needs (MM-DD at 11 px), so a phone shows fewer labels, not smaller ones. */
const LABEL_ROOM = 56;
const PAD = { top: 12, right: 8, bottom: 26, left: 48 };
const METRIC_LABEL: Record<ChartMetric, string> = { total_tokens: 'tokens', requests: 'requests' };

/** One bar per day, as plain SVG: the series is at most a year, so no chart library is needed. */
export function UsageChart({ daily, metric }: { daily: Day[]; metric: ChartMetric }) {
  // Drawn at the width it is shown at (one SVG unit = one CSS pixel), so its text stays 11 px
  // on a phone instead of being scaled down with a fixed 720-unit drawing.
  const ref = useRef<SVGSVGElement>(null);
  const [width, setWidth] = useState(WIDE);
  useEffect(() => {
    const svg = ref.current;
    if (!svg) return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.round(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    observer.observe(svg);
    return () => observer.disconnect();
  }, []);
  const values = daily.map((d) => d[metric]);
  const { top, ticks } = niceScale(Math.max(0, ...values));
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, daily.length);
  const barW = Math.max(1, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // About six date labels whatever the range.
  const labelEvery = Math.max(1, Math.ceil(daily.length / Math.max(2, Math.min(6, Math.floor(plotW / LABEL_ROOM)))));
  const total = values.reduce((a, b) => a + b, 0);
  const failedTotal = daily.reduce((a, d) => a + d.failed_requests, 0);
  const summary = `${METRIC_LABEL[metric]} per day from ${daily[0]?.date ?? ''} to ${daily.at(-1)?.date ?? ''}: ${total.toLocaleString('en-US')} in total${failedTotal > 0 ? `, ${failedTotal.toLocaleString('en-US')} failed calls` : ''}`;

  return (
    <svg ref={ref} className={styles.chart} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={summary}>
      {ticks.map((t) => (
        <g key={t}>
          <line className={styles.grid} x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
          <text className={styles.axis} x={PAD.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle">
            {compact(t)}
          </text>
        </g>
      ))}
      {daily.map((d, i) => {
        const x = PAD.left + i * slot + (slot - barW) / 2;
        const v = d[metric];
        // Failed calls are the bottom part of a day's requests bar, in the danger colour.
        const failed = metric === 'requests' ? d.failed_requests : 0;
        const failedNote = d.failed_requests > 0 ? `, ${d.failed_requests.toLocaleString('en-US')} failed` : '';
        return (
          <g key={d.date}>
            {v > 0 ? (
              <rect className={styles.bar} data-testid="usage-bar" x={x} y={y(v)} width={barW} height={Math.max(1, PAD.top + plotH - y(v))} rx={Math.min(2, barW / 4)}>
                <title>{`${d.date}: ${v.toLocaleString('en-US')} ${METRIC_LABEL[metric]}${failedNote}`}</title>
              </rect>
            ) : null}
            {failed > 0 ? (
              <rect className={styles.failed} data-testid="usage-failed-bar" x={x} y={y(failed)} width={barW} height={Math.max(1, PAD.top + plotH - y(failed))}>
                <title>{`${d.date}: ${failed.toLocaleString('en-US')} failed`}</title>
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
