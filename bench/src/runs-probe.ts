import { probeSection } from './probe-context.js';
import { runsSection } from './sections/runs.js';

/**
 * `pnpm --filter @aius/bench probe:runs`: the run-loop section alone (sections/runs.ts), with
 * its knobs (BENCH_RUN_ROUNDS, BENCH_RUN_REPEATS, BENCH_RUN_IDLE, BENCH_RATE, BENCH_SECONDS),
 * for a quick check without the whole `pnpm bench`. Needs a production build.
 */
await probeSection('runs-probe', runsSection);
