'use client';

import { registerRequest } from '@aius/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Field, Submit } from '@/components/field';
import { call } from '@/lib/api';
import { useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';

export function SignupForm() {
  const router = useRouter();
  const instance = useQuery('instanceInfo');
  const form = useContractForm(registerRequest, async (body) => {
    await call('register', { body });
    // A newcomer's first screen: how to make a first call.
    router.replace('/get-started');
    router.refresh();
  });

  return (
    <div className="card narrow">
      <h1>Create your account</h1>
      <p className="muted">An organization of your own is created with it.</p>
      {instance.data && instance.data.signup_mode !== 'open' ? (
        <p className="warning" role="note">
          {instance.data.signup_mode === 'invite'
            ? 'This server registers new accounts only through an invitation: open the link from your invitation email.'
            : 'Registration is closed on this server. Ask its administrator for an account.'}
        </p>
      ) : null}
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Name" name="name" autoComplete="name" error={form.errors.name} />
        <Field label="Email" name="email" type="email" autoComplete="email" error={form.errors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          error={form.errors.password}
          hint="At least 8 characters, with a letter, a number and a symbol."
        />
        <Submit form={form} label="Create account" working="Creating account…" className="primary block" />
      </form>
      <p className="muted switch-link">
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </div>
  );
}
