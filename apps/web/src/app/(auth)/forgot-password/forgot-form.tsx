'use client';

import { forgotPasswordRequest } from '@aius/contracts';
import Link from 'next/link';
import { useState } from 'react';
import { Field, Submit } from '@/components/field';
import { call } from '@/lib/api';
import { useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';

/** Asks for a reset link. The answer is the same whether or not the address has an account. */
export function ForgotForm() {
  const instance = useQuery('instanceInfo');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useContractForm(forgotPasswordRequest, async (body) => {
    await call('forgotPassword', { body });
    setSentTo(body.email);
  });
  const logOnly = instance.data?.mail_delivery === 'log';

  return (
    <div className="card narrow">
      <h1>Reset your password</h1>
      {logOnly ? (
        <p className="warning" role="note" data-testid="mail-log-only">
          This server does not send email (no SMTP is configured): reset links are written to the server’s log. Ask the person who
          runs it for yours.
        </p>
      ) : null}
      {sentTo ? (
        <p className="notice" role="status">
          If an account uses <strong>{sentTo}</strong>, a link to choose a new password is on its way. It works once, for 30 minutes.
        </p>
      ) : (
        <form onSubmit={form.onSubmit} noValidate>
          <p className="muted">Enter the email address of your account and we’ll send you a link to choose a new password.</p>
          <Field label="Email" name="email" type="email" autoComplete="username" error={form.errors.email} />
          <Submit form={form} label="Send reset link" working="Sending…" className="primary block" />
        </form>
      )}
      <p className="muted switch-link">
        <Link href="/login">Back to sign in</Link>
      </p>
    </div>
  );
}
