import { StringDecoder } from 'node:string_decoder';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

const INT32_MAX = 2_147_483_647;
const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), INT32_MAX) : undefined;

/** The `usage` object of an OpenAI response or stream chunk, or null when it has none. */
export function readUsage(payload: unknown): TokenUsage | null {
  const usage = (payload as { usage?: unknown } | null)?.usage as Record<string, unknown> | null | undefined;
  if (!usage || typeof usage !== 'object') return null;
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const total = count(usage.total_tokens);
  if (prompt === undefined && completion === undefined && total === undefined) return null;
  return {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    totalTokens: total ?? Math.min((prompt ?? 0) + (completion ?? 0), INT32_MAX),
  };
}

/** Usage from a complete (non-streamed) JSON response body; null when absent or not JSON. */
export function usageFromBody(body: Buffer): TokenUsage | null {
  // Cheap pre-check: most error bodies and all usage-less ones skip the parse.
  if (!body.includes('"usage"')) return null;
  try {
    return readUsage(JSON.parse(body.toString('utf8')));
  } catch {
    return null;
  }
}

/**
 * Watches a `text/event-stream` as it is forwarded and keeps the last `usage` it carries
 * (OpenAI sends it in the final chunk when `stream_options.include_usage` is set; some
 * servers send it on every chunk). Only `data:` lines mentioning "usage" are parsed, so
 * ordinary content chunks cost a line split and a substring search.
 */
export class StreamUsageScanner {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  usage: TokenUsage | null = null;

  push(chunk: Buffer): void {
    const text = this.partial + this.decoder.write(chunk);
    // The marker is searched forward only, once over the text, not from every line to the end of
    // the chunk: a chunk holding many lines and no usage (the common case) cost quadratic time.
    let marker = text.indexOf('"usage"');
    let start = 0;
    if (marker === -1) start = text.lastIndexOf('\n') + 1;
    else {
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        if (marker !== -1 && marker < start) marker = text.indexOf('"usage"', start);
        if (marker !== -1 && marker < nl) this.line(text, start, nl);
        start = nl + 1;
      }
    }
    // A pathological line with no newline must not grow without bound.
    this.partial = text.length - start > 1 << 20 ? '' : text.slice(start);
  }

  /** A line known to contain the marker between `start` and `end`. */
  private line(text: string, start: number, end: number): void {
    if (!text.startsWith('data:', start)) return;
    try {
      const usage = readUsage(JSON.parse(text.slice(start + 5, end)));
      if (usage) this.usage = usage;
    } catch {
      // Not JSON (e.g. `data: [DONE]`, or a provider's own comment): nothing to count.
    }
  }
}
