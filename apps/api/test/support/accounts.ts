import { registerUser as register, type RegisteredUser } from '@aius/test-support';

export { TEST_PASSWORD, type RegisteredUser } from '@aius/test-support';

/**
 * `registerUser` of @aius/test-support (the typed `register` call) for the specs that still pass
 * the API base (`t.base`) rather than its origin; they move to `registerUser(t.origin)` one
 * directory at a time, and this file goes with the last of them.
 */
export function registerUser(base: string, overrides: { email?: string; name?: string; password?: string } = {}): Promise<RegisteredUser> {
  if (!base.endsWith('/api/v1')) throw new Error(`registerUser: ${base} is not an API base`);
  return register(base.slice(0, -'/api/v1'.length), overrides);
}
