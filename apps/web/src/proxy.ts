import { SESSION_COOKIE } from '@aius/contracts';
import { NextResponse, type NextRequest } from 'next/server';
import { apiOrigin } from './lib/api-origin';

/**
 * Two jobs at the edge of the dashboard:
 * - forward /api/* to the API, so browser and API share one origin and the `__Host-`
 *   session cookie is first-party (a next.config rewrite would freeze API_URL at build time);
 * - send visitors without a session cookie to /login before any dashboard page renders
 *   (the dashboard layout then checks the session itself with GET /me).
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith('/api/')) return NextResponse.rewrite(new URL(pathname + search, apiOrigin()));
  if (request.cookies.has(SESSION_COOKIE)) return NextResponse.next();
  const login = new URL('/login', request.url);
  login.searchParams.set('next', pathname + search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ['/api/:path*', '/get-started/:path*', '/projects/:path*', '/organizations/:path*', '/tokens/:path*', '/security/:path*', '/usage/:path*', '/billing/:path*', '/artifacts/:path*'],
};
