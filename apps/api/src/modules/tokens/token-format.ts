import { hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { TOKEN_FORMAT } from '@aius/contracts';
import { randomBase62 } from '../../common/random-id.js';

const { prefix, randomLength, checksumLength, displayPrefixLength, alphabet } = TOKEN_FORMAT;
const TOKEN_LENGTH = prefix.length + randomLength + checksumLength;
const BASE62 = /^[0-9A-Za-z]+$/;
/** CRC-32 (IEEE, as zlib computes it) of `aius_` + the random part, in base62, 6 characters. */
export function tokenChecksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < checksumLength; i++) {
    out = alphabet[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** A fresh secret: `aius_` + 32 random base62 (~190 bits) + checksum (spec §5). */
export function generateToken(): string {
  const body = prefix + randomBase62(randomLength);
  return body + tokenChecksum(body);
}

/**
 * True when the string has the token's shape and its checksum matches. Costs no I/O,
 * so typos, truncations and scanner junk are refused before any cache or database.
 */
export function isWellFormedToken(token: string): boolean {
  if (token.length !== TOKEN_LENGTH || !token.startsWith(prefix)) return false;
  const rest = token.slice(prefix.length);
  if (!BASE62.test(rest)) return false;
  const body = token.slice(0, TOKEN_LENGTH - checksumLength);
  return tokenChecksum(body) === token.slice(TOKEN_LENGTH - checksumLength);
}

/**
 * SHA-256 hex: tokens carry ~190 random bits, so a fast unsalted hash cannot be brute-forced.
 * Node's one-shot `hash` rather than a Hash object: every bearer call hashes its token, and the
 * object (created, updated, digested) cost about four times the one-shot call.
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** What the dashboard shows to tell tokens apart (`aius_` + 7 characters). */
export function displayPrefix(token: string): string {
  return token.slice(0, displayPrefixLength);
}
