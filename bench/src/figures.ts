/**
 * The figures a bench run judges, recorded once per run (`--runs N`) and summarised at the end as
 * the median and range over the runs. Targets are judged on ratios measured in the same run:
 * this machine's speed moves 3–5× between runs, the ratios much less (issue 19).
 */
export interface Target {
  /** How the target reads in the report, e.g. `≥ 85 %`. */
  text: string;
  met(value: number): boolean;
}

interface Series {
  unit: string;
  target?: Target;
  /** One value per run (undefined where that run did not measure it). */
  values: (number | undefined)[];
}

export class Figures {
  private readonly series = new Map<string, Series>();
  private run = 0;

  /** Starts run `n` (0-based): figures recorded from now on belong to it. */
  beginRun(n: number): void {
    this.run = n;
  }

  record(name: string, value: number, unit: string, target?: Target): void {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { unit, target, values: [] }));
    s.values[this.run] = value;
  }

  /** Markdown: one line per figure with its median, range, the value of each run and how often the target was met. */
  summary(runs: number): string {
    const lines = [
      `| figure | median | range | each run | target | met |`,
      `|---|---:|---:|---|---|---|`,
    ];
    for (const [name, s] of this.series) {
      const values = s.values.filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (values.length === 0) continue;
      const sorted = [...values].sort((a, b) => a - b);
      const fmt = (v: number) => `${format(v)}${s.unit}`;
      const each = Array.from({ length: runs }, (_, i) => (s.values[i] === undefined ? '—' : format(s.values[i]!))).join(', ');
      const met = s.target ? `${values.filter((v) => s.target!.met(v)).length} of ${values.length}` : '';
      lines.push(`| ${name} | ${fmt(median(sorted))} | ${fmt(sorted[0]!)} – ${fmt(sorted.at(-1)!)} | ${each} | ${s.target?.text ?? ''} | ${met} |`);
    }
    return lines.join('\n');
  }
}

/** The median of values (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Three significant digits, grouped: 0.123, 1.23, 12.3, 1,234. */
function format(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export const atLeast = (min: number, text = `≥ ${min}`): Target => ({ text, met: (v) => v >= min });
export const below = (max: number, text = `< ${max}`): Target => ({ text, met: (v) => v < max });
