'use client';

import { API_BASE, type CreateTokenResponse, type Model } from '@aius/contracts';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { CopyButton, SecretValue } from '@/components/copy-button';
import { FormError } from '@/components/field';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { describeError } from '@/lib/error-copy';
import { firstCallSnippets } from './snippets';

/**
 * The first screen after sign-up: where the API is, a token in one click, and a first call to
 * copy with both filled in, for the models this server serves.
 */
export function GetStartedView() {
  const toast = useToast();
  const [baseUrl, setBaseUrl] = useState(API_BASE);
  const [token, setToken] = useState<CreateTokenResponse | null>(null);
  const [models, setModels] = useState<Model[] | null>(null);
  const [modelsError, setModelsError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState('curl');

  // The public base URL is the page's own origin: the dashboard forwards /api/* to the API.
  useEffect(() => setBaseUrl(`${window.location.origin}${API_BASE}`), []);

  const mint = async () => {
    setPending(true);
    setError(null);
    try {
      const minted = await call('createToken', { body: { token_name: 'Get started' } });
      setToken(minted);
      toast('Token created');
      // GET /models takes a bearer only: ask with the token just made.
      call('listModels', undefined, { headers: { authorization: `Bearer ${minted.token}` } }).then(
        (list) => setModels(list.data),
        (e: unknown) => setModelsError(describeError(e)),
      );
    } catch (e) {
      setError(describeError(e));
    } finally {
      setPending(false);
    }
  };

  const model = models?.[0]?.id ?? 'MODEL';
  const snippets = firstCallSnippets(baseUrl, token?.token ?? 'aius_…', model);
  const shown = snippets.find((s) => s.id === tab) ?? snippets[0]!;

  return (
    <>
      <header className="page-header">
        <h1>Get started</h1>
        <p className="muted">Three steps to your first API call. You can come back here any time.</p>
      </header>

      <section className="card" aria-labelledby="base-title">
        <h2 id="base-title">1. The API’s address</h2>
        <p className="muted">OpenAI-compatible clients take this as their base URL.</p>
        <div className="secret-row">
          <code className="secret" data-testid="base-url">
            {baseUrl}
          </code>
          <CopyButton text={baseUrl} label="Copy base URL" />
        </div>
      </section>

      <section className="card" aria-labelledby="token-title">
        <h2 id="token-title">2. A token</h2>
        {token ? (
          <>
            <p className="warning">This is the only time the token is shown. Store it in a secret manager now.</p>
            <SecretValue value={token.token} copyLabel="Copy token" testId="get-started-token" />
            <p className="muted">
              Manage it, or make more, under <Link href="/tokens">API tokens</Link>.
            </p>
          </>
        ) : (
          <>
            <p className="muted">A token lets programs call the API as you. It is filled into the examples below.</p>
            <button type="button" className="btn primary" onClick={mint} disabled={pending}>
              {pending ? 'Creating…' : 'Create a token'}
            </button>
            <FormError message={error} />
          </>
        )}
      </section>

      <section className="card" aria-labelledby="call-title">
        <h2 id="call-title">3. Your first call</h2>
        <div className="example-tabs" role="tablist" aria-label="Example language">
          {snippets.map((s) => (
            <button key={s.id} type="button" role="tab" aria-selected={s.id === shown.id} className="example-tab" onClick={() => setTab(s.id)}>
              {s.label}
            </button>
          ))}
        </div>
        <pre className="snippet" role="tabpanel" aria-label={shown.label} data-testid={`snippet-${shown.id}`}>
          <code>{shown.code}</code>
        </pre>
        <CopyButton text={shown.code} label="Copy example" />
      </section>

      <section className="card" aria-labelledby="models-title">
        <h2 id="models-title">Models on this server</h2>
        {!token ? <p className="muted">Create a token to list the models this server serves.</p> : null}
        {token && !models && !modelsError ? <p className="muted">Loading…</p> : null}
        {modelsError ? <p className="muted">{modelsError}</p> : null}
        {models && models.length === 0 ? <p className="muted">No models are configured on this server yet.</p> : null}
        {models && models.length > 0 ? (
          <ul className="list" data-testid="models">
            {models.map((m) => (
              <li key={m.id} className="list-row">
                <code>{m.id}</code> <span className="muted">{m.owned_by}</span>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </>
  );
}
