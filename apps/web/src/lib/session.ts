import { SESSION_COOKIE, type InstanceInfoResponse, type MeResponse } from '@aius/contracts';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { ApiError, call } from './api';
import { apiOrigin } from './api-origin';

/**
 * The signed-in account, checked against the API by forwarding the browser's session
 * cookie. No valid session → /login. Other failures (API down) reach the error boundary.
 */
export async function requireSession(): Promise<MeResponse> {
  const session = (await cookies()).get(SESSION_COOKIE);
  if (!session) redirect('/login');
  const forwardedFor = (await headers()).get('x-forwarded-for');
  try {
    return await call('me', undefined, {
      origin: apiOrigin(),
      headers: { cookie: `${SESSION_COOKIE}=${session.value}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect('/login');
    throw error;
  }
}

/** This server's settings the dashboard shapes itself by (which sections exist), read with the page. */
export function instanceSettings(): Promise<InstanceInfoResponse> {
  return call('instanceInfo', undefined, { origin: apiOrigin() });
}
