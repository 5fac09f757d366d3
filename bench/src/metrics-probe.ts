import { probeSection } from './probe-context.js';
import { metricsSection } from './sections/metrics.js';

/**
 * `pnpm --filter @aius/bench probe:metrics`: the metrics on/off section alone
 * (sections/metrics.ts), with its knobs (BENCH_METRICS_PAIRS, BENCH_PROXY_RATE, BENCH_SECONDS,
 * BENCH_CONNECTIONS). Needs a production build.
 */
await probeSection('metrics-probe', metricsSection);
