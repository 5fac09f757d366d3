import type { RunStatus } from '@aius/contracts';

export const STATUS_LABEL: Record<RunStatus, string> = {
  completed: 'Completed',
  max_iterations: 'Stopped at the step limit',
  failed: 'Failed',
  disconnected: 'Disconnected',
};

export const count = (v: number) => v.toLocaleString('en-US');

/** 850 ms, 12.4 s, 3 min 5 s, 1 h 2 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
