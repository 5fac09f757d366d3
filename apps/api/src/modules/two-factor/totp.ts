import { generateSecret, verify } from 'otplib';

/** RFC 6238 as every authenticator app does it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
/** ±1 step of clock drift between the phone and the server. */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;
const ISSUER = 'AIUS';

export function newTotpSecret(): string {
  return generateSecret({ length: 20 }); // 160 bits, base32
}

/** `otpauth://totp/AIUS:<email>?secret=…&issuer=AIUS` (spec §4); `@` is legal in a URI path. */
export function otpauthUrl(email: string, secret: string): string {
  const label = encodeURIComponent(email).replace(/%40/g, '@');
  return `otpauth://totp/${ISSUER}:${label}?secret=${secret}&issuer=${ISSUER}`;
}

export const isTotpShaped = (code: string) => /^\d{6}$/.test(code);

/**
 * The time step the code belongs to, or null when it matches no step in the window or
 * only steps at or below `afterStep` (already used: RFC 6238 §5.2 forbids replay).
 */
export async function matchTotpStep(secret: string, code: string, afterStep: number | null, epoch?: number): Promise<number | null> {
  if (!isTotpShaped(code)) return null;
  try {
    const result = await verify({
      secret,
      token: code,
      epoch,
      epochTolerance: TOLERANCE_SECONDS,
      afterTimeStep: afterStep ?? undefined,
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    // otplib throws when afterStep lies beyond the window (the server clock went back).
    return null;
  }
}
