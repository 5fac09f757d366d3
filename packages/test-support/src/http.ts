import {
  ERRORS,
  routeUrl,
  routes,
  type ErrorKey,
  type RouteCallOptions,
  type RouteDef,
  type RouteName,
  type RouteResponse,
} from '@aius/contracts';

/** Who sends a request: a session cookie, a bearer token, both or neither, and any other headers. */
export interface As {
  cookie?: string;
  bearer?: string;
  headers?: Record<string, string>;
}

/** The two error envelopes of spec §2: the gateway's string and the account side's code and message. */
export type ErrorEnvelope = { detail: string } | { detail: { code: ErrorKey; message: string } };

/** A route's answer: its contract response on 2xx, an error envelope otherwise. */
export type Answer<N extends RouteName> =
  | { ok: true; status: number; headers: Headers; body: RouteResponse<N> }
  | { ok: false; status: number; headers: Headers; body: ErrorEnvelope };

/** What a failed call answered, as one registry key (both envelopes map to one key space), or null. */
export function errorKey(body: ErrorEnvelope): ErrorKey | null {
  if (typeof body.detail === 'string') {
    const detail = body.detail;
    return (Object.keys(ERRORS) as ErrorKey[]).find((k) => ERRORS[k].envelope === 'string' && ERRORS[k].message === detail) ?? null;
  }
  return body.detail.code;
}

/** An answer as its status and error key (null on success), for one assertion of both: `expect(problem(r)).toEqual([400, 'INVALID_REQUEST'])`. */
export function problem(answer: { ok: true; status: number } | { ok: false; status: number; body: ErrorEnvelope }): [number, ErrorKey | null] {
  return [answer.status, answer.ok ? null : errorKey(answer.body)];
}

/** One JSON request over real HTTP; the body as parsed (undefined when empty). The untyped helpers build on it. */
export async function send(url: string, method: string, as: As = {}, body?: unknown): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers: Record<string, string> = { ...as.headers };
  if (as.cookie) headers.cookie = as.cookie;
  if (as.bearer) headers.authorization = `Bearer ${as.bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

type CallArgs<N extends RouteName> = object extends RouteCallOptions<N>
  ? [options?: RouteCallOptions<N> & { as?: As }]
  : [options: RouteCallOptions<N> & { as?: As }];

/**
 * A call of route N of the contract's table, against the API at `origin` (`http://127.0.0.1:PORT`):
 * method and path from the table, request typed by its schemas, answer typed by its response schema
 * or the error envelope: `await call(origin, 'createToken', { body: { token_name: 'ci' }, as: { cookie } })`.
 * A 2xx body is checked against the route's response schema (a test cannot pass on an answer the
 * contract does not allow) and returned as it was sent.
 */
export async function call<N extends RouteName>(origin: string, name: N, ...[options]: CallArgs<N>): Promise<Answer<N>> {
  const def: RouteDef = routes[name];
  const { body, query, params, as } = (options ?? {}) as { body?: unknown; query?: unknown; params?: unknown; as?: As };
  const answer = await send(`${origin}${routeUrl(def, { query, params })}`, def.method, as, body);
  if (answer.status >= 200 && answer.status < 300) {
    // Checked against the contract, but handed back as sent: a test must still see a field the schema would drop.
    def.response?.parse(answer.body);
    return { ok: true, status: answer.status, headers: answer.headers, body: answer.body as RouteResponse<N> };
  }
  return { ok: false, status: answer.status, headers: answer.headers, body: answer.body as ErrorEnvelope };
}

/**
 * Route N with request parts its schemas would refuse to type (a missing field, a wrong type, an
 * unknown query value): for tests of malformed input. Method and path still come from the route
 * table, and the answer is typed and checked as `call`'s.
 */
export function callRaw<N extends RouteName>(origin: string, name: N, options: { body?: unknown; query?: Record<string, string>; params?: Record<string, string | number>; as?: As } = {}): Promise<Answer<N>> {
  return call(origin, name, ...([options] as unknown as CallArgs<N>));
}

/** The body of a 200 answer; throws with the status and envelope otherwise (the status is part of what a test asserts). */
export function ok<N extends RouteName>(answer: Answer<N>): RouteResponse<N> {
  if (!answer.ok || answer.status !== 200) throw new Error(`expected 200, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** An answer's status and body alone, for comparing both at once: `expect(statusAndBody(r)).toEqual({ status: 403, body: … })`. */
export function statusAndBody(answer: { status: number; body: unknown }): { status: number; body: unknown } {
  return { status: answer.status, body: answer.body };
}

/** The body of a successful call; throws with the status and envelope otherwise (for set-up steps). */
export async function callOk<N extends RouteName>(origin: string, name: N, ...args: CallArgs<N>): Promise<RouteResponse<N>> {
  const answer = await call(origin, name, ...args);
  if (!answer.ok) throw new Error(`${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}
