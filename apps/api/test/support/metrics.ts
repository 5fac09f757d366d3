import { MetricsServer } from '../../src/metrics/metrics-server.js';
import type { TestApp } from './test-app.js';

/** The URL of an app's metrics port (started with METRICS_PORT: '0'). */
export function metricsUrl(t: TestApp): string {
  return `http://127.0.0.1:${t.app.get(MetricsServer).port}/metrics`;
}

/** The value of one series in a scrape, e.g. `aius_http_requests_total{route="/api/v1/clients",…}`; undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const set = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

/** One series' value as the app's metrics port serves it now. */
export async function scrapeMetric(t: TestApp, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  return metricValue(await (await fetch(metricsUrl(t))).text(), name, labels);
}
