'use client';

import { useEffect, useRef, useState } from 'react';
import { compact, niceScale } from './chart-scale';
import styles from './daily-bar-chart.module.css';

/** One day's bar; its failed calls (optional) are told in its title and the summary. */
export interface DayValue {
  date: string;
  value: number;
  failed?: number;
}

const WIDE = 720;
const HEIGHT = 220;
/** Room one date label needs (MM-DD at 11 px), so a phone shows fewer labels, not smaller ones. */
const LABEL_ROOM = 56;
const PAD = { top: 12, right: 8, bottom: 26, left: 48 };
const whole = (n: number) => n.toLocaleString('en-US');

/**
 * One bar per day, as plain SVG: the series is at most a year, so no chart library is needed.
 * `unit` names what is counted ("tokens", "credits spent"); `format` writes a value in words;
 * `stackFailed`: the values count calls, and the failed ones are drawn as the bottom part of the bar.
 */
export function DailyBarChart({
  days,
  unit,
  format = whole,
  stackFailed = false,
  testId = 'day-bar',
}: {
  days: DayValue[];
  unit: string;
  format?: (n: number) => string;
  stackFailed?: boolean;
  testId?: string;
}) {
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
  const values = days.map((d) => d.value);
  const { top, ticks } = niceScale(Math.max(0, ...values));
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // About six date labels whatever the range.
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.max(2, Math.min(6, Math.floor(plotW / LABEL_ROOM)))));
  const total = values.reduce((a, b) => a + b, 0);
  const failedTotal = days.reduce((a, d) => a + (d.failed ?? 0), 0);
  const summary = `${unit} per day from ${days[0]?.date ?? ''} to ${days.at(-1)?.date ?? ''}: ${format(total)} in total${failedTotal > 0 ? `, ${whole(failedTotal)} failed calls` : ''}`;

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
      {days.map((d, i) => {
        const x = PAD.left + i * slot + (slot - barW) / 2;
        const failedNote = (d.failed ?? 0) > 0 ? `, ${whole(d.failed ?? 0)} failed` : '';
        const failed = stackFailed ? (d.failed ?? 0) : 0;
        return (
          <g key={d.date}>
            {d.value > 0 ? (
              <rect className={styles.bar} data-testid={testId} x={x} y={y(d.value)} width={barW} height={Math.max(1, PAD.top + plotH - y(d.value))} rx={Math.min(2, barW / 4)}>
                <title>{`${d.date}: ${format(d.value)} ${unit}${failedNote}`}</title>
              </rect>
            ) : null}
            {failed > 0 ? (
              <rect className={styles.failed} data-testid={`${testId}-failed`} x={x} y={y(failed)} width={barW} height={Math.max(1, PAD.top + plotH - y(failed))}>
                <title>{`${d.date}: ${whole(failed)} failed`}</title>
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
