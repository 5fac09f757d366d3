import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `prefix` + 22 base62 characters (≈131 bits from the OS CSPRNG): opaque, URL-safe and
 * unguessable (spec §1). Bytes ≥ 248 are skipped so every character is equally likely.
 */
export function randomId(prefix: string, length = 22): string {
  let out = prefix;
  while (out.length < prefix.length + length) {
    for (const byte of randomBytes(length + 8)) {
      if (byte >= 248) continue;
      out += BASE62[byte % 62];
      if (out.length === prefix.length + length) break;
    }
  }
  return out;
}
