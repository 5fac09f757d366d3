import type { BenchContext } from '../context.js';
import type { Measurement } from '../measure.js';

/**
 * HOOK for the chat-proxy section (owned by the proxy helper; not built here).
 * run.ts calls this after the account/gateway sections with the running AIUS and a
 * minted token; return the rows to add to the table (e.g. proxy overhead against a fake
 * upstream). Until that section lands it contributes no rows.
 */
export async function proxySection(_ctx: BenchContext): Promise<Measurement[]> {
  return [];
}
