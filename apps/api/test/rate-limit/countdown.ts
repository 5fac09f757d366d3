import { expect } from 'vitest';

/**
 * A rate-limit countdown (Retry-After, reset) in whole seconds: `full` minus the time since
 * the burst began, rounded up. Asserted within that band, as a loaded machine is slow.
 */
export function expectCountdown(value: string | null, full: number, since: number): void {
  const elapsed = (Date.now() - since) / 1000;
  expect(Number(value)).toBeLessThanOrEqual(Math.ceil(full));
  expect(Number(value)).toBeGreaterThanOrEqual(Math.max(1, Math.floor(full - elapsed)));
}
