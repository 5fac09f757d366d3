/**
 * A label whose values come from callers (a model id is whatever the client sends, and a
 * catch-all upstream accepts any): the first `max` distinct values keep their name, every
 * later one is reported as `other`, so no client can grow the series without limit.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}
