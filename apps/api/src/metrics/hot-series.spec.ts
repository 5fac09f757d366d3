import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from './hot-series.js';

describe(HotHistogram.name, () => {
  it('scrapes exactly as prom-client’s own histogram does for the same observations', async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const ours = new Registry();
    const theirs = new Registry();
    const hot = new HotHistogram(ours, 'x_seconds', 'help text', buckets);
    const reference = new Histogram({ name: 'x_seconds', help: 'help text', labelNames: ['route', 'code'], buckets, registers: [theirs] });
    const observations: [string, string, number][] = [['/a', '200', 0.0004], ['/a', '200', 0.001], ['/a', '200', 0.05], ['/b', '404', 3], ['/a', '200', 0.7]];
    for (const [route, code, value] of observations) {
      hot.series({ route, code }).observe(value);
      reference.observe({ route, code }, value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe(HotCounter.name, () => {
  it('scrapes exactly as prom-client’s own counter does', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const series = new HotCounter(ours, 'y_total', 'help').series({ status: '200' });
    const reference = new Counter({ name: 'y_total', help: 'help', labelNames: ['status'], registers: [theirs] });
    for (let i = 0; i < 3; i++) {
      series.value++;
      reference.inc({ status: '200' });
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
