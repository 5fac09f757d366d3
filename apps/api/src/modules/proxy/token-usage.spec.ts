import { describe, expect, it } from 'vitest';
import { StreamUsageFilter, StreamUsageScanner, readUsage, usageFromBody } from './token-usage.js';

const chunk = (o: object) => `data: ${JSON.stringify(o)}\n\n`;

describe(StreamUsageScanner.name, () => {
  it('finds the usage of the final chunk even when lines are split across network chunks', () => {
    const text =
      chunk({ choices: [{ delta: { content: 'héllo' } }], usage: null }) +
      chunk({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }) +
      'data: [DONE]\n\n';
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 7, 64, bytes.length]) {
      const scanner = new StreamUsageScanner();
      for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
      expect(scanner.usage).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    }
  });

  it('keeps the last usage when every chunk carries one, and none when no chunk does', () => {
    const scanner = new StreamUsageScanner();
    scanner.push(Buffer.from(chunk({ usage: { prompt_tokens: 1, completion_tokens: 1 } }) + chunk({ usage: { prompt_tokens: 1, completion_tokens: 2 } })));
    expect(scanner.usage).toEqual({ promptTokens: 1, completionTokens: 2, totalTokens: 3 });
    const none = new StreamUsageScanner();
    none.push(Buffer.from(chunk({ choices: [{ delta: { content: 'the word "usage" in text' } }] }) + 'data: [DONE]\n\n'));
    expect(none.usage).toBeNull();
  });
});

describe(`${StreamUsageScanner.name}, many events in one network chunk`, () => {
  it('finds the usage line after many lines without it, and after a line that only mentions the word', () => {
    const words = Array.from({ length: 200 }, (_, i) => chunk({ choices: [{ delta: { content: `w${i}` } }] })).join('');
    const text =
      words +
      chunk({ choices: [{ delta: { content: 'say "usage" twice: "usage"' } }] }) +
      ': a comment mentioning "usage"\n' +
      words +
      chunk({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 200, total_tokens: 205 } }) +
      'data: [DONE]\n\n';
    for (const size of [text.length, 4096, 333]) {
      const scanner = new StreamUsageScanner();
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
      expect(scanner.usage).toEqual({ promptTokens: 5, completionTokens: 200, totalTokens: 205 });
    }
    const none = new StreamUsageScanner();
    none.push(Buffer.from(words + 'data: [DONE]\n\n'));
    expect(none.usage).toBeNull();
  });
});

describe('readUsage', () => {
  it('ignores missing, negative and non-numeric counts', () => {
    expect(readUsage({})).toBeNull();
    expect(readUsage({ usage: { prompt_tokens: 'x' } })).toBeNull();
    expect(readUsage({ usage: { prompt_tokens: -5, completion_tokens: 2 } })).toEqual({ promptTokens: 0, completionTokens: 2, totalTokens: 2 });
    expect(usageFromBody(Buffer.from('{"usage":{"total_tokens":9}}'))).toEqual({ promptTokens: 0, completionTokens: 0, totalTokens: 9 });
    expect(usageFromBody(Buffer.from('not json "usage"'))).toBeNull();
  });

  it('clamps counts to non-negative 32-bit integers, whatever the upstream sends', () => {
    expect(readUsage({ usage: { prompt_tokens: 1e15, completion_tokens: 2.7, total_tokens: -1 } })).toEqual({
      promptTokens: 2_147_483_647,
      completionTokens: 2,
      totalTokens: 2_147_483_647,
    });
    expect(readUsage({ usage: { prompt_tokens: '5', completion_tokens: null, total_tokens: { n: 1 } } })).toBeNull();
  });
});

describe('usageFromBody', () => {
  /** What parsing the whole body gives: the meaning usageFromBody must keep for every valid JSON body. */
  const whole = (text: string) => {
    try {
      return readUsage(JSON.parse(text));
    } catch {
      return null;
    }
  };
  const u = (p: number) => ({ prompt_tokens: p, completion_tokens: 2, total_tokens: p + 2 });

  it('reads the same usage as a whole parse wherever usage sits, however it is spaced or spelled around', () => {
    const bodies = [
      JSON.stringify({ id: 'x', choices: [{ message: { content: 'hi' } }], usage: u(1) }),
      JSON.stringify({ usage: u(1), id: 'x', choices: [] }),
      JSON.stringify({ id: 'x', usage: u(1), choices: [{ message: { content: '"usage":{"prompt_tokens":9}' } }] }),
      JSON.stringify({ id: 'x', meta: { usage: u(9) } }),
      JSON.stringify({ id: 'x', meta: { usage: u(9) }, usage: u(1) }),
      JSON.stringify({ usage: u(1), meta: { usage: u(9) } }),
      JSON.stringify({ list: [{ usage: u(9) }] }),
      JSON.stringify({ usage: u(1), note: 'usage' }),
      JSON.stringify({ id: 'x', choices: [{ message: { content: 'a "long" answer\\' } }], usage: u(1), service_tier: 'default', system_fingerprint: null }),
      JSON.stringify({ id: 'x', usage: u(1), echo: { raw: JSON.stringify({ usage: u(9), messages: [{ content: '\\"usage\\":' }] }) } }),
      JSON.stringify({ usage: u(1), 'x"usage': u(9) }),
      JSON.stringify({ usage: u(1), 'x\\"usage': u(9) }),
      JSON.stringify({ usage: u(1), '\\': { a: '"usage":' } }),
      JSON.stringify({ content: 'ends with "usage": {"prompt_tokens": 9}}' }),
      JSON.stringify({ usage: { ...u(1), kind: 'usage' } }),
      JSON.stringify({ usage: null }),
      JSON.stringify({ usage: 5 }),
      JSON.stringify({ usage: 'usage' }),
      JSON.stringify([{ usage: u(9) }]),
      JSON.stringify('"usage":{"prompt_tokens":9}}'),
      '{"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":2}}',
      '{"usage":{"prompt_tokens":1},"us\\u0061ge":{"prompt_tokens":2}}',
      '{"us\\u0061ge":{"prompt_tokens":2},"usage":{"prompt_tokens":1}}',
      ' \r\n\t{ "id" : "x" ,\n  "usage"\t:\r\n { "prompt_tokens" : 4 , "completion_tokens" : 5 }\n } \n\t ',
      '{"a":{"usage" : {"prompt_tokens":9}} }',
      '{"a":"\\\\","usage":{"prompt_tokens":3}}',
      '{"a":"x\\\\\\"usage\\\\\\"","b":1}',
      '{"x\\\\\\"usage":{"prompt_tokens":9}}',
      '{"usage":{"prompt_tokens":1},"x\\"usage":{"prompt_tokens":9}}',
      '{"héllo 🙂":"ünïcode","usage":{"prompt_tokens":7,"completion_tokens":1}}',
    ];
    for (const text of bodies) expect(usageFromBody(Buffer.from(text)), text).toEqual(whole(text));
  });

  it('counts nothing for bodies that are not JSON, even when they hold a usage object (a stray comma in the root is not checked)', () => {
    for (const text of [
      'not json "usage"',
      '{"usage":{"prompt_tokens":1}',
      '{"usage":{"prompt_tokens":1}}}',
      '{"usage":{"prompt_tokens":1}} {"usage":{"prompt_tokens":2}}',
      '<html>"usage":{"prompt_tokens":1}}',
      '{"usage":{"prompt_tokens":1 "x"}}',
      '{"usage":{"prompt_tokens":1},"a":"unclosed}',
    ]) expect(usageFromBody(Buffer.from(text)), text).toBeNull();
  });

  it('agrees with a whole parse on generated bodies with usage and its look-alikes anywhere', () => {
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const words = ['usage', '"usage"', '"usage":', '\\', '"', '}', 'x'];
    const value = (depth: number): unknown => {
      switch (next(depth > 2 ? 3 : 6)) {
        case 0: return next(1000);
        case 1: return words[next(words.length)]! + words[next(words.length)]!;
        case 2: return u(next(50));
        case 3: return Array.from({ length: next(3) }, () => value(depth + 1));
        default: return object(depth + 1);
      }
    };
    const object = (depth: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (let i = next(4); i > 0; i--) o[next(3) === 0 ? 'usage' : words[next(words.length)]!] = value(depth);
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const root = object(0);
      const text = JSON.stringify(root, null, next(2) === 0 ? undefined : 1);
      expect(usageFromBody(Buffer.from(text)), text).toEqual(whole(text));
    }
  });
});

describe(StreamUsageFilter.name, () => {
  const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
  /** Relays `bytes` split into pieces of `size`: what the client receives, and the usage read. */
  const relay = (bytes: Buffer, size: number) => {
    const filter = new StreamUsageFilter();
    const out: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(filter.push(bytes.subarray(i, i + size)));
    out.push(filter.end());
    return { text: Buffer.concat(out).toString(), usage: filter.usage };
  };

  it('drops the usage-only event and OpenAI\'s "usage":null, however the bytes are split, multi-byte characters included', () => {
    const asked =
      chunk({ id: 'c', choices: [{ delta: { content: 'héllo "usage" 🙂' } }], usage: null }) +
      chunk({ id: 'c', choices: [{ delta: {}, finish_reason: 'stop' }], usage: null }) +
      chunk({ id: 'c', choices: [], usage }) +
      'data: [DONE]\n\n';
    const unasked = chunk({ id: 'c', choices: [{ delta: { content: 'héllo "usage" 🙂' } }] }) + chunk({ id: 'c', choices: [{ delta: {}, finish_reason: 'stop' }] }) + 'data: [DONE]\n\n';
    const bytes = Buffer.from(asked);
    for (let size = 1; size <= bytes.length; size += size < 16 ? 1 : 37) {
      expect(relay(bytes, size), `pieces of ${size}`).toEqual({ text: unasked, usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } });
    }
  });

  it('passes content chunks on at once (no complete event held back) and as the same bytes', () => {
    const filter = new StreamUsageFilter();
    const first = Buffer.from(chunk({ choices: [{ delta: { content: 'a' } }] }));
    expect(filter.push(first)).toBe(first);
    const split = Buffer.from(chunk({ choices: [{ delta: { content: 'b' } }] }));
    expect(filter.push(split.subarray(0, 10)).length).toBe(0);
    expect(filter.push(split.subarray(10)).toString()).toBe(split.toString());
  });

  it('keeps CRLF events whole, and a last line without a newline', () => {
    const text = `data: {"choices":[{"delta":{"content":"x"}}]}\r\n\r\ndata: {"choices":[],"usage":${JSON.stringify(usage)}}\r\n\r\ndata: [DONE]`;
    expect(relay(Buffer.from(text), 5).text).toBe('data: {"choices":[{"delta":{"content":"x"}}]}\r\n\r\ndata: [DONE]');
  });

  it('relays usage that rides on a content chunk (some servers send it on every chunk) and still reads it', () => {
    const text = chunk({ choices: [{ delta: { content: 'x' } }], usage });
    expect(relay(Buffer.from(text), 4)).toEqual({ text, usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } });
  });
});
