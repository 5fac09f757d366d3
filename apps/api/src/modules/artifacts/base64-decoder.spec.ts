import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Base64Decoder, InvalidBase64Error } from './base64-decoder.js';

function decodeInPieces(text: string, sizes: number[]): Buffer {
  const decoder = new Base64Decoder();
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length]!;
    const piece = decoder.push(text.slice(at, at + size));
    if (piece) out.push(piece);
    at += size;
  }
  const last = decoder.end();
  if (last) out.push(last);
  return Buffer.concat(out);
}

describe(Base64Decoder.name, () => {
  it('gives the same bytes as a whole-string decode, whatever the piece sizes', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 100, 1001]) {
      const bytes = randomBytes(length);
      const text = bytes.toString('base64');
      for (const sizes of [[1], [3], [5, 2, 7], [4096]]) expect(decodeInPieces(text, sizes).equals(bytes)).toBe(true);
    }
  });

  it('accepts missing padding and MIME line breaks', () => {
    const bytes = randomBytes(100);
    const text = bytes.toString('base64');
    expect(decodeInPieces(text.replace(/=+$/, ''), [7]).equals(bytes)).toBe(true);
    expect(decodeInPieces(text.replace(/(.{76})/g, '$1\r\n'), [9]).equals(bytes)).toBe(true);
  });

  it('refuses characters outside the alphabet, padding in the middle, and a truncated group', () => {
    expect(() => decodeInPieces('QUJD*', [5])).toThrow(InvalidBase64Error);
    expect(() => decodeInPieces('QQ==QUJD', [3])).toThrow(InvalidBase64Error);
    expect(() => decodeInPieces('QUJDR', [2])).toThrow(InvalidBase64Error);
    expect(() => decodeInPieces('Q===', [1])).toThrow(InvalidBase64Error);
    expect(() => decodeInPieces('QUJD-_', [6])).toThrow(InvalidBase64Error);
  });
});
