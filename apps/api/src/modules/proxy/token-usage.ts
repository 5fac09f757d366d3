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

const USAGE_MEMBER = Buffer.from('"usage"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const isJsonSpace = (byte: number | undefined) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
/** usageValue's answer when only parsing the whole body can tell (not an object, not JSON, an escaped key). */
const WHOLE = -1;

/**
 * Usage from a complete (non-streamed) JSON response body; null when absent or not JSON.
 * Only the root's `usage` member is parsed, not the whole answer (whose content, for a long
 * completion, is most of its bytes): see usageValue.
 */
export function usageFromBody(body: Buffer): TokenUsage | null {
  // Cheap pre-check: most error bodies and all usage-less ones skip the parse.
  if (body.indexOf(USAGE_MEMBER) === -1) return null;
  const range = usageValue(body);
  if (range !== WHOLE) {
    if (range === null) return null;
    try {
      return readUsage({ usage: JSON.parse(body.toString('utf8', range[0], range[1])) as unknown });
    } catch {
      // Not JSON after all: as the whole parse below decides.
    }
  }
  try {
    return readUsage(JSON.parse(body.toString('utf8')));
  } catch {
    return null;
  }
}

/**
 * Where the value of the root object's last `usage` member lies ([start, end) in bytes), null when the
 * root has none, or WHOLE. It walks the body's structure only: strings are skipped to their closing
 * quote with a native search, so a long content costs no more than a short one. For valid JSON this
 * is the member JSON.parse would keep (the last of duplicates); a root-level key written with escapes
 * (which could spell "usage") and anything that does not close as one object send the body to the
 * whole parse. It checks structure, not every rule: a body that is not JSON only by a stray comma at
 * its root may still be counted by its usage.
 */
function usageValue(body: Buffer): [number, number] | null | typeof WHOLE {
  const length = body.length;
  let i = 0;
  while (isJsonSpace(body[i])) i++;
  if (body[i] !== OPEN_BRACE) return WHOLE;
  let depth = 0;
  let expectKey = false;
  let isUsage = false;
  let valueStart = 0;
  let found: [number, number] | null = null;
  for (; i < length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      let close = i + 1;
      for (;;) {
        close = body.indexOf(QUOTE, close);
        if (close === -1) return WHOLE;
        if (escapedBy(body, close) % 2 === 0) break;
        close++;
      }
      if (depth === 1 && expectKey) {
        const escaped = body.indexOf(BACKSLASH, i + 1);
        if (escaped !== -1 && escaped < close) return WHOLE;
        isUsage = close - i === USAGE_MEMBER.length - 1 && body.compare(USAGE_MEMBER, 0, USAGE_MEMBER.length, i, close + 1) === 0;
        expectKey = false;
      }
      i = close;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (depth === 0) expectKey = true;
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) {
        if (isUsage) found = [valueStart, i];
        for (i++; i < length; i++) if (!isJsonSpace(body[i])) return WHOLE;
        return found;
      }
    } else if (depth === 1) {
      if (byte === COLON) valueStart = i + 1;
      else if (byte === COMMA) {
        if (isUsage) found = [valueStart, i];
        isUsage = false;
        expectKey = true;
      }
    }
  }
  return WHOLE;
}

/** How many backslashes precede `at` (odd: the quote there is escaped, inside a string). */
function escapedBy(body: Buffer, at: number): number {
  let count = 0;
  while (body[at - 1 - count] === BACKSLASH) count++;
  return count;
}

/** What the exchange relays of a stream, chunk by chunk, and the usage it saw on the way. */
export interface StreamRelay {
  readonly usage: TokenUsage | null;
  /** The bytes of this chunk to write to the client now (possibly none). */
  push(chunk: Buffer): Buffer;
  /** Bytes held back until the stream ended (none unless the last line had no newline). */
  end(): Buffer;
}

const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const DATA = Buffer.from('data:');
const USAGE_KEY = '"usage"';

/**
 * Watches a `text/event-stream` as it is forwarded and keeps the last `usage` it carries
 * (OpenAI sends it in the final chunk when `stream_options.include_usage` is set; some
 * servers send it on every chunk). Only `data:` lines mentioning "usage" are parsed, so
 * ordinary content chunks cost a line split and a substring search.
 */
export class StreamUsageScanner implements StreamRelay {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  usage: TokenUsage | null = null;

  /** Every byte goes on as it came. */
  push(chunk: Buffer): Buffer {
    this.scan(chunk);
    return chunk;
  }

  end(): Buffer {
    return EMPTY;
  }

  private scan(chunk: Buffer): void {
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

/**
 * The relay of a stream whose client did not ask for usage, for which AIUS asked the upstream
 * (`stream_options.include_usage`, spec §12): the usage-only event (a `usage` with no `choices`,
 * sent before `data: [DONE]`) is read and not relayed, and the `"usage":null` that OpenAI then adds
 * to every other chunk is taken out, so the client receives the bytes the upstream would have sent
 * it without the option. It works on whole lines: bytes after a chunk's last newline (an event split
 * across two network chunks) wait for the next chunk, so no complete event is ever held back; lines
 * that do not mention usage are passed on as the same bytes, never decoded.
 */
export class StreamUsageFilter implements StreamRelay {
  usage: TokenUsage | null = null;
  private pending: Buffer | null = null;
  /** The blank line that ends a dropped event is dropped with it. */
  private dropBlank = false;

  push(chunk: Buffer): Buffer {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = data.lastIndexOf(NEWLINE) + 1;
    // A pathological line with no newline must not grow without bound: pass it on as it is.
    this.pending = end < data.length && data.length - end <= 1 << 20 ? Buffer.from(data.subarray(end)) : null;
    const ready = this.pending ? data.subarray(0, end) : data;
    if (!this.dropBlank && ready.indexOf(USAGE_KEY) === -1) return ready;
    const kept: Buffer[] = [];
    for (let start = 0; start < ready.length; ) {
      const nl = ready.indexOf(NEWLINE, start);
      const stop = nl === -1 ? ready.length : nl + 1;
      const line = this.line(ready.subarray(start, stop));
      if (line) kept.push(line);
      start = stop;
    }
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  }

  end(): Buffer {
    const rest = this.pending;
    this.pending = null;
    return rest ? (this.line(rest) ?? EMPTY) : EMPTY;
  }

  private line(line: Buffer): Buffer | null {
    if (this.dropBlank) {
      this.dropBlank = false;
      if (isBlank(line)) return null;
    }
    if (line.indexOf(DATA) !== 0 || line.indexOf(USAGE_KEY) === -1) return line;
    const text = line.toString('utf8');
    let payload: { choices?: unknown; usage?: unknown } | null;
    try {
      payload = JSON.parse(text.slice(DATA.length)) as typeof payload;
    } catch {
      return line;
    }
    const usage = readUsage(payload);
    if (usage) this.usage = usage;
    const choices = payload?.choices;
    if (usage && (choices === undefined || (Array.isArray(choices) && choices.length === 0))) {
      this.dropBlank = true;
      return null;
    }
    if (payload?.usage === null) return Buffer.from(text.replace(/,"usage":null|"usage":null,?/, ''), 'utf8');
    return line;
  }
}

const isBlank = (line: Buffer) => line.length === 1 || (line.length === 2 && line[0] === 0x0d);
