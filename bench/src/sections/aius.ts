import { API_BASE } from '@aius/contracts';
import { call, registerUser, userWithToken } from '@aius/test-support';

/** Registers a user on a running AIUS and mints an API token for it, through the public API. */
export async function mintAiusToken(base: string): Promise<string> {
  if (!base.endsWith(API_BASE)) throw new Error(`mintAiusToken: ${base} is not an API base`);
  const origin = base.slice(0, -API_BASE.length);
  const holder = await registerUser(origin, { email: 'bench@example.com', name: 'Bench', password: 'bench-Password-1!' });
  const { token } = await userWithToken(origin, { holder, request: { token_name: 'bench' } });
  // The route under test must answer 200 before it is measured.
  const probe = await call(origin, 'listClients', { as: { bearer: token } });
  if (probe.status !== 200) throw new Error(`GET /clients with the new token failed: ${probe.status} ${JSON.stringify(probe.body)}`);
  return token;
}
