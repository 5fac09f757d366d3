import { generate } from 'otplib';

const PERIOD = 30;
const stepOf = (ms: number) => Math.floor(ms / 1000 / PERIOD);

/**
 * The authenticator app's side of TOTP, computed from the secret the page shows.
 * The API refuses a code it has already accepted (replay guard), so `after` names a
 * time step that was used: the next code then comes from a later step.
 */
export async function totpCode(secret: string, after?: number): Promise<{ code: string; step: number }> {
  if (after !== undefined) {
    const wait = (after + 1) * PERIOD * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 250));
  }
  const now = Date.now();
  return { code: await generate({ secret, epoch: Math.floor(now / 1000) }), step: stepOf(now) };
}
