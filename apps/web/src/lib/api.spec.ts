import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, call } from './api';

const project = { id: 'proj_1', org_id: 'client_1', name: 'Tide', description: null, forked_from_id: null, forked_from_name: null, created_at: 1, updated_at: 2 };

function answer(status: number, body: unknown) {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

afterEach(() => vi.unstubAllGlobals());

describe(call.name, () => {
  it('sends the route’s method to its filled path with the page’s cookie and a JSON body', async () => {
    const fetch = answer(200, project);
    await expect(call('updateProject', { params: { id: 'proj 1' }, body: { name: 'Tide' } })).resolves.toEqual(project);
    expect(fetch).toHaveBeenCalledWith('/api/v1/projects/proj%201', expect.objectContaining({ method: 'PATCH', credentials: 'same-origin', body: '{"name":"Tide"}' }));
  });

  it('puts the query in the URL and the server’s origin and cookie in front when given', async () => {
    const fetch = answer(200, { data: [] });
    await call('listProjects', { query: { org_id: 'client_1' } }, { origin: 'http://api:8000', headers: { cookie: 'c=1' } });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://api:8000/api/v1/projects?org_id=client_1');
    expect(init.headers).toMatchObject({ cookie: 'c=1' });
  });

  it('drops fields the contract does not declare', async () => {
    answer(200, { ...project, internal_note: 'x' });
    expect(await call('getProject', { params: { id: 'proj_1' } })).not.toHaveProperty('internal_note');
  });

  it('throws the registry key of either envelope', async () => {
    answer(403, { detail: { code: 'NO_ACCESS', message: 'You do not have access to this resource' } });
    await expect(call('getProject', { params: { id: 'proj_1' } })).rejects.toMatchObject({ status: 403, key: 'NO_ACCESS' });
    answer(404, { detail: 'token not found' });
    await expect(call('revokeToken', { params: { id: '7' } })).rejects.toMatchObject({ status: 404, key: 'TOKEN_NOT_FOUND' });
  });

  it('turns a request that never got an answer into status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const error = await call('listClients').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, key: null });
  });
});
