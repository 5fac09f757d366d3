'use client';

import { changePasswordRequest, type SessionInfo } from '@aius/contracts';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Field, Submit } from '@/components/field';
import { Moment } from '@/components/moment';
import { LoadError, Loading } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';

/** Password change: every other session of the account is signed out; this one stays. */
export function ChangePassword({ onChanged }: { onChanged: () => void }) {
  const toast = useToast();
  const form = useContractForm(changePasswordRequest, async (body, formElement) => {
    await call('changePassword', { body });
    formElement.reset();
    toast('Password changed; your other sessions were signed out');
    onChanged();
  });
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Current password" name="current_password" type="password" autoComplete="current-password" error={form.errors.current_password} />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          error={form.errors.new_password}
          hint="At least 8 characters, with a letter, a number and a symbol. Your other sessions will be signed out."
        />
        <Submit form={form} label="Change password" working="Changing…" />
      </form>
    </section>
  );
}

/** Where the account is signed in; any session but this one can be ended, or all of them at once. */
export function Sessions({ version }: { version: number }) {
  const sessions = useQuery('listSessions');
  const toast = useToast();
  const [ending, setEnding] = useState<SessionInfo | 'others' | null>(null);
  const [seen, setSeen] = useState(version);
  if (seen !== version) {
    setSeen(version);
    sessions.reload();
  }
  const others = sessions.data?.data.filter((s) => !s.current) ?? [];
  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="row between">
        <h2 id="sessions-title">Sessions</h2>
        {others.length > 0 ? (
          <button type="button" className="btn danger-outline" onClick={() => setEnding('others')}>
            Sign out all other sessions
          </button>
        ) : null}
      </div>
      {sessions.loading && !sessions.data ? <Loading /> : null}
      {sessions.error ? <LoadError message={sessions.error} onRetry={sessions.reload} /> : null}
      {sessions.data ? (
        <ul className="list" data-testid="sessions">
          {sessions.data.data.map((s) => (
            <li key={s.id} className="row between">
              <div>
                <strong>{s.user_agent ?? 'Unknown device'}</strong> {s.current ? <span className="badge ok">This session</span> : null}
                <p className="muted">
                  {s.ip ?? 'unknown address'} · signed in <Moment seconds={s.created_at} />
                  {s.last_seen_at ? (
                    <>
                      {' '}
                      · last seen <Moment seconds={s.last_seen_at} />
                    </>
                  ) : null}
                </p>
              </div>
              {s.current ? null : (
                <button type="button" className="btn" onClick={() => setEnding(s)}>
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {ending ? (
        <ConfirmDialog
          title={ending === 'others' ? 'Sign out all other sessions?' : 'Sign out this session?'}
          confirmLabel="Sign out"
          onConfirm={async () => {
            if (ending === 'others') {
              const r = await call('endOtherSessions');
              toast(`${r.revoked} ${r.revoked === 1 ? 'session' : 'sessions'} signed out`);
            } else {
              await call('endSession', { params: { id: ending.id } });
              toast('Session signed out');
            }
            sessions.reload();
          }}
          onClose={() => setEnding(null)}
        >
          <p>{ending === 'others' ? 'Every browser and device but this one will have to sign in again.' : `${ending.user_agent ?? 'That device'} will have to sign in again.`}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
