/** Collects what the API logs (Nest writes to stdout/stderr), still passing it through. */
export function captureLogs(): { lines: () => string[]; count: (pattern: RegExp) => number; stop: () => void } {
  const captured: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      captured.push(String(chunk));
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = tap(originals.out);
  process.stderr.write = tap(originals.err);
  return {
    lines: () => captured,
    count: (pattern) => captured.filter((l) => pattern.test(l)).length,
    stop: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}
