import { forkName } from '@aius/contracts';

/** The first of `<name> (fork)`, `<name> (fork 2)`, `(fork 3)`… not already taken in the client. */
export function firstFreeForkName(name: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const candidate = forkName(name, n);
    if (!taken.has(candidate)) return candidate;
  }
}
