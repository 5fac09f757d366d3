import { SESSION_COOKIE } from '@aius/contracts';

/** Registers a user on a running AIUS and mints an API token for it, through the public API. */
export async function mintAiusToken(base: string): Promise<string> {
  const register = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', name: 'Bench', password: 'bench-Password-1!' }),
  });
  if (!register.ok) throw new Error(`register failed: ${register.status} ${await register.text()}`);
  const { session_token: session } = (await register.json()) as { session_token: string };
  const minted = await fetch(`${base}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `${SESSION_COOKIE}=${session}` },
    body: JSON.stringify({ token_name: 'bench' }),
  });
  if (!minted.ok) throw new Error(`minting a token failed: ${minted.status} ${await minted.text()}`);
  const { token } = (await minted.json()) as { token: string };
  // The route under test must answer 200 before it is measured.
  const probe = await fetch(`${base}/clients`, { headers: { authorization: `Bearer ${token}` } });
  if (!probe.ok) throw new Error(`GET /clients with the new token failed: ${probe.status} ${await probe.text()}`);
  return token;
}
