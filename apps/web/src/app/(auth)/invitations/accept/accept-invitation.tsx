'use client';

import { registerRequest, type InvitationPreview, type MeResponse } from '@aius/contracts';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Field, FormError, Submit } from '@/components/field';
import { ROLE_LABEL } from '@/components/org-context';
import { call } from '@/lib/api';
import { describeError } from '@/lib/error-copy';
import { useAction, useContractForm } from '@/lib/form';

/** Kept across the sign-in detour, which cannot carry the link's fragment through ?next=. */
const STORED = 'aius.invitation';
const HERE = '/invitations/accept';

type State =
  | { step: 'loading' }
  | { step: 'invalid'; message: string }
  | { step: 'ready'; token: string; invitation: InvitationPreview; me: MeResponse | null };

/**
 * The page an invitation mail links to (`/invitations/accept#token=…`). Opening it uses nothing
 * up (mail scanners open links): it only shows the invitation. Signed in as the invited email:
 * accept. Signed out: sign in (the link is remembered for this tab) or, when the email has no
 * account yet, register through the invitation.
 */
export function AcceptInvitation() {
  const [state, setState] = useState<State>({ step: 'loading' });

  useEffect(() => {
    const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('token');
    if (fromLink) {
      sessionStorage.setItem(STORED, fromLink);
      window.history.replaceState(null, '', window.location.pathname);
    }
    const token = fromLink ?? sessionStorage.getItem(STORED);
    if (!token) return setState({ step: 'invalid', message: 'This link is incomplete. Open the link from the invitation email again.' });
    Promise.all([call('inspectInvitation', { body: { token } }), call('me').catch(() => null)])
      .then(([invitation, me]) => setState({ step: 'ready', token, invitation, me }))
      .catch((error: unknown) => setState({ step: 'invalid', message: describeError(error) }));
  }, []);

  if (state.step === 'loading') return <div className="card narrow" />;
  if (state.step === 'invalid') {
    return (
      <div className="card narrow">
        <h1>Invitation</h1>
        <p className="form-error" role="alert">
          {state.message}
        </p>
        <Link href="/login">Go to sign in</Link>
      </div>
    );
  }
  const { invitation, me, token } = state;
  return (
    <div className="card narrow">
      <h1>Join {invitation.client_name}</h1>
      <p>
        <strong>{invitation.email}</strong> is invited to the organization <strong>{invitation.client_name}</strong> as{' '}
        {ROLE_LABEL[invitation.role]}.
      </p>
      {me && me.user.email === invitation.email ? <Accept token={token} /> : null}
      {me && me.user.email !== invitation.email ? (
        <p className="warning" role="note">
          You are signed in as {me.user.email}. Sign out, then sign in as {invitation.email} to accept.
        </p>
      ) : null}
      {!me && invitation.has_account ? (
        <Link className="btn primary block" href={`/login?next=${encodeURIComponent(HERE)}`}>
          Sign in as {invitation.email} to accept
        </Link>
      ) : null}
      {!me && !invitation.has_account ? <RegisterThroughInvitation token={token} invitation={invitation} /> : null}
    </div>
  );
}

function Accept({ token }: { token: string }) {
  const accepting = useAction();
  const accept = () =>
    accepting.run(async () => {
      const joined = await call('acceptInvitation', { body: { token } });
      sessionStorage.removeItem(STORED);
      window.location.assign(`/organizations/${encodeURIComponent(joined.id)}`);
    });
  return (
    <>
      <FormError message={accepting.error} />
      <button type="button" className="btn primary block" onClick={accept} disabled={accepting.pending}>
        {accepting.pending ? 'Joining…' : 'Accept invitation'}
      </button>
    </>
  );
}

function RegisterThroughInvitation({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const form = useContractForm(
    registerRequest,
    async (body) => {
      await call('register', { body });
      sessionStorage.removeItem(STORED);
      window.location.assign('/organizations');
    },
    () => ({ email: invitation.email, invitation_token: token }),
  );
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <p className="muted">Create your account to accept. An organization of your own is created with it.</p>
      <Field label="Name" name="name" autoComplete="name" error={form.errors.name} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        error={form.errors.password}
        hint="At least 8 characters, with a letter, a number and a symbol."
      />
      <Submit form={form} label="Create account and join" working="Creating account…" className="primary block" />
    </form>
  );
}
