'use client';

import { resetPasswordRequest } from '@aius/contracts';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Field, Submit } from '@/components/field';
import { call } from '@/lib/api';
import { useContractForm } from '@/lib/form';

/**
 * The page a reset mail links to (`/reset-password#token=…`). The secret is in the fragment, which
 * the browser never sends to a server; opening the page uses nothing up (a mail scanner may open
 * it): only submitting the form does. `&welcome=1` marks the link of an account an admin created:
 * the same single-use link, worded as choosing a first password.
 */
export function ResetForm() {
  const [token, setToken] = useState<string | null>(null);
  const [welcome, setWelcome] = useState(false);
  const [revokeTokens, setRevokeTokens] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const found = fragment.get('token');
    setToken(found ?? '');
    setWelcome(fragment.get('welcome') === '1');
    // Out of the address bar (and so out of history and screenshots) once read.
    if (found) window.history.replaceState(null, '', window.location.pathname);
  }, []);

  const form = useContractForm(
    resetPasswordRequest,
    async (body) => {
      await call('resetPassword', { body });
      setDone(true);
    },
    () => ({ token, revoke_api_tokens: revokeTokens }),
  );

  if (token === null) return <div className="card narrow" />;
  if (done && welcome) {
    return (
      <div className="card narrow">
        <h1>Password set</h1>
        <p className="notice" role="status">
          Your account is ready. Sign in with your email and the password you just chose.
        </p>
        <Link className="btn primary block" href="/login">
          Sign in
        </Link>
      </div>
    );
  }
  if (done) {
    return (
      <div className="card narrow">
        <h1>Password changed</h1>
        <p className="notice" role="status">
          Your password has been changed and every session of your account has been signed out{revokeTokens ? ', and every API token revoked' : ''}.
        </p>
        <Link className="btn primary block" href="/login">
          Sign in
        </Link>
      </div>
    );
  }
  return (
    <div className="card narrow">
      <h1>{welcome ? 'Choose your password' : 'Choose a new password'}</h1>
      {token === '' ? (
        <p className="form-error" role="alert">
          This link is incomplete. Open the link from the email again, or <Link href="/forgot-password">ask for a new one</Link>.
        </p>
      ) : (
        <form onSubmit={form.onSubmit} noValidate>
          <Field label={welcome ? 'Password' : 'New password'} name="new_password" type="password" autoComplete="new-password" error={form.errors.new_password} />
          {welcome ? null : (
            <label className="check">
              <input type="checkbox" checked={revokeTokens} onChange={(e) => setRevokeTokens(e.target.checked)} /> Also revoke every API token of my
              account (do this if you think someone else knew your password)
            </label>
          )}
          {form.errors.token ? (
            <p className="form-error" role="alert">
              {form.errors.token} <Link href="/forgot-password">Ask for a new link</Link>.
            </p>
          ) : null}
          <Submit form={form} label={welcome ? 'Set password' : 'Change password'} working={welcome ? 'Saving…' : 'Changing…'} className="primary block" />
          {welcome ? null : <p className="muted">Every session of your account will be signed out.</p>}
        </form>
      )}
    </div>
  );
}
