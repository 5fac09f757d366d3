'use client';

import { createUserRequest } from '@aius/contracts';
import { useState } from 'react';
import { z } from 'zod';
import { Field, FormError } from '@/components/field';
import { useToast } from '@/components/toast';
import { ApiError, call } from '@/lib/api';
import { useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';

/** An empty password field means "mail them a link" (the API would call an empty password missing). */
const createUserForm = z.preprocess(
  (values) => (values && typeof values === 'object' && (values as { password?: unknown }).password === '' ? { ...values, password: undefined } : values),
  createUserRequest,
);

/**
 * Create an account (the way in under SIGNUP_MODE=closed). Left without a password, the person
 * is mailed a link to choose their own; with one, they can sign in at once and the admin tells
 * them the password another way.
 */
export function CreateUser({ onCreated }: { onCreated: () => void }) {
  const instance = useQuery('instanceInfo');
  const toast = useToast();
  const [taken, setTaken] = useState<string | null>(null);
  const form = useContractForm(createUserForm, async (body, formElement) => {
    setTaken(null);
    try {
      const user = await call('createUser', { body });
      formElement.reset();
      toast(body.password ? `${user.email} can sign in now` : `${user.email} created; a link to choose a password is on its way`);
      onCreated();
    } catch (error) {
      // The register page's copy ("try signing in") is for the person themself, not for an admin.
      if (error instanceof ApiError && error.key === 'EMAIL_ALREADY_EXISTS') return setTaken(`${body.email} already has an account. Find it in the list below.`);
      throw error;
    }
  });
  const closed = instance.data?.signup_mode === 'closed';

  return (
    <section className="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create a user</h2>
      <p className="muted">
        {closed ? 'Sign-up is closed on this server: this is how people get an account. ' : ''}
        They get their own Personal organization. Leave the password empty to email them a link to choose one: it works once, and if it expires, “Forgot password” on the sign-in page sends a new one.
      </p>
      {instance.data?.mail_delivery === 'log' ? (
        <p className="warning" role="note">
          This server does not send email (no SMTP is configured): the link is written to the server’s log. Set an initial password instead if you cannot read the log.
        </p>
      ) : null}
      <form className="inline-form" onSubmit={form.onSubmit} noValidate aria-label="Create a user">
        <Field label="Name" name="name" autoComplete="off" error={form.errors.name} />
        <Field label="Email" name="email" type="email" autoComplete="off" error={form.errors.email} />
        <Field label="Initial password (optional)" name="password" type="password" autoComplete="new-password" error={form.errors.password} />
        <button type="submit" className="btn primary" disabled={form.pending}>
          {form.pending ? 'Creating…' : 'Create user'}
        </button>
      </form>
      <FormError message={form.formError ?? taken} />
    </section>
  );
}
