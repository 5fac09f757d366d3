import { ERRORS, isErrorKey, routeUrl, routes, type ErrorKey, type RouteCallOptions, type RouteDef, type RouteName, type RouteResponse } from '@aius/contracts';

/**
 * The dashboard's one way to talk to the API: every call names a route of the contract,
 * so method, path, request shape and response shape come from `@aius/contracts`.
 */

export type CallOptions<N extends RouteName> = RouteCallOptions<N>;

/** Where and how to send: the browser uses the page's origin and its cookie; the server passes both. */
export interface Transport {
  origin?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Wire detail strings (gateway side) → their registry key, so both envelopes map to one key space. */
const KEY_BY_DETAIL = new Map<string, ErrorKey>(
  (Object.keys(ERRORS) as ErrorKey[]).filter((k) => ERRORS[k].envelope === 'string').map((k) => [ERRORS[k].message, k]),
);

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** The registry key (from `detail.code` or the string `detail`), null when unrecognised. */
    readonly key: ErrorKey | null,
    /** The server's own wording: `detail.message` or the string `detail`. */
    readonly detail: string,
  ) {
    super(detail);
  }

  static fromBody(status: number, body: unknown): ApiError {
    const detail = (body as { detail?: unknown } | null)?.detail;
    if (typeof detail === 'string') return new ApiError(status, KEY_BY_DETAIL.get(detail) ?? null, detail);
    if (detail && typeof detail === 'object') {
      const { code, message } = detail as { code?: unknown; message?: unknown };
      return new ApiError(status, isErrorKey(code) ? code : null, typeof message === 'string' ? message : '');
    }
    return new ApiError(status, null, '');
  }

  /** The session is gone (expired, logged out elsewhere): the user must sign in again. */
  get isSignedOut(): boolean {
    return this.key === 'UNAUTHENTICATED' || this.key === 'INVALID_SESSION' || this.key === 'NO_SESSION_COOKIE';
  }
}

/** Options may be left out only for routes that take no body, query or path parameters. */
type CallArgs<N extends RouteName> = object extends CallOptions<N>
  ? [options?: CallOptions<N>, transport?: Transport]
  : [options: CallOptions<N>, transport?: Transport];

export async function call<N extends RouteName>(name: N, ...[options, transport = {}]: CallArgs<N>): Promise<RouteResponse<N>> {
  const route: RouteDef = routes[name];
  const { body, query, params } = (options ?? {}) as { body?: unknown; query?: unknown; params?: unknown };
  const url = `${transport.origin ?? ''}${routeUrl(route, { query, params })}`;

  let response: Response;
  try {
    response = await fetch(url, {
      method: route.method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...transport.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: transport.signal,
    });
  } catch (error) {
    if (transport.signal?.aborted) throw error;
    throw new ApiError(0, null, 'network');
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) throw ApiError.fromBody(response.status, payload);
  return (route.response ? route.response.parse(payload) : payload) as RouteResponse<N>;
}
