'use client';

import { createTokenRequest, type CreateTokenResponse, type TokenSummary } from '@aius/contracts';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { SecretValue } from '@/components/copy-button';
import { Field, FormError, SelectField } from '@/components/field';
import { useOrganizations } from '@/components/org-context';
import { Moment } from '@/components/moment';
import { Empty, LoadError, Loading } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';
import styles from './tokens.module.css';

export function TokensView() {
  const tokens = useQuery('listTokens');
  const [minted, setMinted] = useState<CreateTokenResponse | null>(null);
  const [revoking, setRevoking] = useState<TokenSummary | null>(null);
  const toast = useToast();

  return (
    <>
      <header className="page-header">
        <h1>API tokens</h1>
        <p className="muted">
          Tokens let programs call the AIUS API as you, in the header <code>Authorization: Bearer aius_…</code>
        </p>
      </header>
      {minted ? <NewTokenSecret token={minted} onDone={() => setMinted(null)} /> : null}
      <MintToken
        onMinted={(token) => {
          setMinted(token);
          tokens.reload();
        }}
      />
      <section className="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Your tokens</h2>
        {tokens.loading && !tokens.data ? <Loading /> : null}
        {tokens.error ? <LoadError message={tokens.error} onRetry={tokens.reload} /> : null}
        {tokens.data && tokens.data.data.length === 0 ? <Empty title="No tokens yet">Create one above to call the API from code.</Empty> : null}
        {tokens.data && tokens.data.data.length > 0 ? <TokenTable tokens={tokens.data.data} onRevoke={setRevoking} /> : null}
      </section>
      {revoking ? (
        <ConfirmDialog
          title={`Revoke “${revoking.token_name}”?`}
          confirmLabel="Revoke token"
          onConfirm={async () => {
            await call('revokeToken', { params: { id: String(revoking.id) } });
            toast(`Token “${revoking.token_name}” revoked`);
            tokens.reload();
          }}
          onClose={() => setRevoking(null)}
        >
          <p>
            Programs using <code>{revoking.prefix}…</code> will be refused from their next request. This can’t be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** A day picked in the form, as the instant the token stops: the end of that day where the browser is. */
const endOfDay = (day: string) => Math.floor(new Date(`${day}T23:59:59`).getTime() / 1000);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const EXPIRY_COPY = 'Pick a day from today up to one year ahead, or leave it empty for a token that does not expire.';

function MintToken({ onMinted }: { onMinted: (token: CreateTokenResponse) => void }) {
  const orgs = useOrganizations();
  const toast = useToast();
  const [expiry, setExpiry] = useState('');
  const [models, setModels] = useState<string[]>([]);
  const form = useContractForm(
    createTokenRequest,
    async (body, formElement) => {
      const token = await call('createToken', { body });
      formElement.reset();
      setExpiry('');
      setModels([]);
      toast('Token created');
      onMinted(token);
    },
    // Both limits are optional (spec §12): empty means never expires / every model.
    () => ({ expires_at: expiry ? endOfDay(expiry) : undefined, models: models.length > 0 ? models : undefined }),
  );
  const today = Date.now();
  return (
    <section className="card" aria-labelledby="mint-title">
      <h2 id="mint-title">Create a token</h2>
      <form className="inline-form" onSubmit={form.onSubmit} noValidate>
        <Field label="Token name" name="token_name" placeholder="e.g. CI deploys" error={form.errors.token_name} maxLength={255} />
        {orgs.list && orgs.current ? (
          <SelectField
            key={orgs.current.id}
            label="Organization"
            name="client_id"
            defaultValue={orgs.current.id}
            options={orgs.list.map((c) => ({ value: c.id, label: c.name }))}
            error={form.errors.client_id}
          />
        ) : null}
        <Field
          label="Expires"
          name="expires_at"
          type="date"
          value={expiry}
          onChange={(e) => setExpiry(e.target.value)}
          min={isoDay(today)}
          max={isoDay(today + 365 * 86_400_000)}
          error={form.errors.expires_at ? EXPIRY_COPY : undefined}
          hint="Optional: it stops working at the end of that day."
        />
        <button type="submit" className="btn primary" disabled={form.pending}>
          {form.pending ? 'Creating…' : 'Create token'}
        </button>
        <ModelChoices chosen={models} onChange={setModels} error={form.errors.models} />
      </form>
      <FormError message={form.formError} />
    </section>
  );
}

/** The token's model allowlist: none ticked means every model, including ones added to the server later. */
function ModelChoices({ chosen, onChange, error }: { chosen: string[]; onChange: (models: string[]) => void; error?: string }) {
  const choices = useQuery('tokenModelChoices');
  const toggle = (id: string, on: boolean) => onChange(on ? [...chosen, id] : chosen.filter((m) => m !== id));
  return (
    <fieldset className={styles.models} aria-describedby="models-hint">
      <legend>Allowed models</legend>
      <p id="models-hint" className="hint">
        Optional: tick the models this token may call. None ticked: every model.
      </p>
      {choices.loading && !choices.data ? <Loading label="Loading models…" /> : null}
      {choices.error ? <LoadError message={choices.error} onRetry={choices.reload} /> : null}
      {choices.data && choices.data.data.length === 0 ? <p className="muted">This server has no models configured yet.</p> : null}
      {choices.data && choices.data.data.length > 0 ? (
        <ul className={styles.modelList}>
          {choices.data.data.map((m) => (
            <li key={m.id}>
              <label>
                <input type="checkbox" name="models" value={m.id} checked={chosen.includes(m.id)} onChange={(e) => toggle(m.id, e.target.checked)} /> <code>{m.id}</code>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}

function NewTokenSecret({ token, onDone }: { token: CreateTokenResponse; onDone: () => void }) {
  return (
    <section className="card reveal" aria-labelledby="secret-title">
      <h2 id="secret-title">Copy your new token “{token.token_name}”</h2>
      <p className="warning">
        This is the only time the token is shown. AIUS stores only a fingerprint of it, so it can’t be shown again. Store it in a
        secret manager now; if you lose it, revoke it and create a new one.
      </p>
      <SecretValue value={token.token} copyLabel="Copy token" testId="new-token" />
      <div className="actions start">
        <button type="button" className="btn primary" onClick={onDone}>
          I’ve stored it
        </button>
      </div>
    </section>
  );
}

function TokenTable({ tokens, onRevoke }: { tokens: TokenSummary[]; onRevoke: (t: TokenSummary) => void }) {
  const orgs = useOrganizations();
  const orgName = (id: string) => orgs.list?.find((c) => c.id === id)?.name ?? '—';
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Token</th>
          <th scope="col">Organization</th>
          <th scope="col">Created</th>
          <th scope="col">Last used</th>
          <th scope="col">Expires</th>
          <th scope="col">Models</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((t) => (
          <tr key={t.id} className={t.revoked_at || (t.expires_at !== null && t.expires_at * 1000 <= Date.now()) ? 'dimmed' : undefined}>
            <th scope="row" data-label="Name">
              {t.token_name}
            </th>
            <td data-label="Token">
              <code>{t.prefix}…</code>
            </td>
            <td data-label="Organization">{orgName(t.client_id)}</td>
            <td data-label="Created"><Moment seconds={t.created_at} /></td>
            <td data-label="Last used">{t.last_used_at ? <Moment seconds={t.last_used_at} /> : 'Never'}</td>
            <td data-label="Expires">{t.expires_at ? <Moment seconds={t.expires_at} /> : 'Never'}</td>
            <td data-label="Models">{t.models ? t.models.map((m) => <code key={m} className={styles.model}>{m}</code>) : 'All models'}</td>
            <td data-label="Status">
              {t.revoked_at ? (
                <span className="badge">
                  Revoked <Moment seconds={t.revoked_at} />
                </span>
              ) : t.expires_at !== null && t.expires_at * 1000 <= Date.now() ? (
                <span className="badge">Expired</span>
              ) : (
                <span className="badge ok">Active</span>
              )}
            </td>
            <td className="cell-actions">
              {t.revoked_at ? null : (
                <button type="button" className="btn danger-outline small" onClick={() => onRevoke(t)} aria-label={`Revoke ${t.token_name}`}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
