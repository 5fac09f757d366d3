import { SESSION_COOKIE } from '@aius/contracts';

/**
 * The session cookie of spec §3. `__Host-` makes browsers insist on Secure, Path=/ and
 * no Domain, so a sibling subdomain can never plant or read it. The API itself reads
 * the cookie over plain HTTP too (CLI and scripts send it by hand); Secure only governs
 * what browsers send.
 */
export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; Max-Age=${maxAgeSeconds}; Path=/; Secure; HttpOnly; SameSite=Lax`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`;
}
