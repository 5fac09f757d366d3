import { randomBytes } from 'node:crypto';
import { BASE62_ALPHABET } from '@aius/contracts';

// The largest multiple of 62 a byte can hold: bytes at or above it are drawn again, so every
// character is equally likely (a plain `byte % 62` favours the first 8).
const UNBIASED_LIMIT = 256 - (256 % BASE62_ALPHABET.length);

/** `length` base62 characters from the OS CSPRNG, every character equally likely. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length + 8)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62_ALPHABET[byte % BASE62_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * `prefix` (one of ID_PREFIX) + 22 base62 characters (≈131 bits): opaque, URL-safe and
 * unguessable (spec §1).
 */
export function randomId(prefix: string, length = 22): string {
  return prefix + randomBase62(length);
}
