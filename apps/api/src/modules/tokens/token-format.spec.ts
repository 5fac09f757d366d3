import { crc32 } from 'node:zlib';
import { TOKEN_FORMAT } from '@aius/contracts';
import { describe, expect, it } from 'vitest';
import { displayPrefix, generateToken, hashToken, isWellFormedToken, tokenChecksum } from './token-format.js';

function fromBase62(s: string): number {
  return [...s].reduce((n, c) => n * 62 + TOKEN_FORMAT.alphabet.indexOf(c), 0);
}

describe('token format', () => {
  it('a minted token is aius_ + 32 base62 characters + a 6-character base62 checksum', () => {
    const token = generateToken();
    expect(token).toMatch(/^aius_[0-9A-Za-z]{32}[0-9A-Za-z]{6}$/);
    expect(isWellFormedToken(token)).toBe(true);
  });

  it('the checksum is the CRC-32 of aius_ + the random part, big-endian base62, zero-padded', () => {
    const token = generateToken();
    const body = token.slice(0, 37);
    expect(fromBase62(token.slice(37))).toBe(crc32(body));
    // A small CRC pads with leading zeros: the empty-ish input has CRC 0.
    expect(tokenChecksum('')).toBe('000000');
    // Vectors computed independently (Python's zlib.crc32 and a separate base62 encoder).
    expect(tokenChecksum(`aius_${'0'.repeat(32)}`)).toBe('1JWkEy');
    expect(isWellFormedToken('aius_abcdefghijklmnopqrstuvwxyzABCDEF2SbgIs')).toBe(true);
  });

  it('the largest CRC-32 still fits in six base62 digits', () => {
    expect(62 ** 6).toBeGreaterThan(0xffffffff);
  });

  it('a token with one character changed fails the checksum', () => {
    const token = generateToken();
    const i = 10;
    const swapped = token[i] === 'a' ? 'b' : 'a';
    expect(isWellFormedToken(token.slice(0, i) + swapped + token.slice(i + 1))).toBe(false);
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    expect(isWellFormedToken(token.slice(0, -1) + last)).toBe(false);
  });

  it('wrong prefix, wrong length and non-base62 characters are malformed', () => {
    const token = generateToken();
    expect(isWellFormedToken(`sk-x_${token.slice(5)}`)).toBe(false);
    expect(isWellFormedToken(token.slice(0, -1))).toBe(false);
    expect(isWellFormedToken(`${token}0`)).toBe(false);
    expect(isWellFormedToken(`aius_${'-'.repeat(32)}000000`)).toBe(false);
    expect(isWellFormedToken('')).toBe(false);
  });

  it('random characters are spread over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of generateToken().slice(5, 37)) seen.add(c);
    expect(seen.size).toBe(62);
  });

  it('the display prefix is the first 12 characters and the hash is SHA-256 hex', () => {
    const token = generateToken();
    expect(displayPrefix(token)).toBe(token.slice(0, 12));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toBe(hashToken(generateToken()));
  });
});
