import { createHash, randomBytes } from 'node:crypto';

/**
 * The secret of a link mailed to someone (a password reset, an invitation): 256 random bits,
 * base64url. Only its SHA-256 is stored: with that much entropy a fast hash is safe, and the
 * lookup is one unique-index probe.
 */
export function mintLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
