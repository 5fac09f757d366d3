/** Spec timestamps are integer unix seconds (spec §1); every conversion goes through here. */
export function unixSeconds(at: Date | number = Date.now()): number {
  return Math.floor((typeof at === 'number' ? at : at.getTime()) / 1000);
}

/** For optional timestamps (`last_used_at`, `revoked_at`): null stays null. */
export function unixSecondsOrNull(at: Date | null): number | null {
  return at === null ? null : unixSeconds(at);
}
