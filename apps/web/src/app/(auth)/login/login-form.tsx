'use client';

import { loginRequest, twoFactorLoginRequest } from '@aius/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Field, Submit } from '@/components/field';
import { ApiError, call } from '@/lib/api';
import { copyFor } from '@/lib/error-copy';
import { useContractForm } from '@/lib/form';
import { safeNext } from '@/lib/session-client';

interface Challenge {
  token: string;
  email: string;
}

/** Email and password, then — when the account has 2FA — the code step. */
export function LoginForm() {
  const router = useRouter();
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const enter = () => {
    router.replace(safeNext(new URLSearchParams(window.location.search).get('next')));
    router.refresh();
  };

  const credentials = useContractForm(loginRequest, async (body) => {
    setNotice(null);
    const result = await call('login', { body });
    if ('requires_2fa' in result) setChallenge({ token: result.challenge_token, email: result.email });
    else enter();
  });

  const code = useContractForm(
    twoFactorLoginRequest,
    async (body) => {
      try {
        await call('twoFactorLogin', { body });
        enter();
      } catch (error) {
        // A dead challenge cannot be retried with another code: start over from the password.
        if (error instanceof ApiError && error.key === 'INVALID_CHALLENGE') {
          setChallenge(null);
          setNotice(copyFor('INVALID_CHALLENGE'));
          return;
        }
        throw error;
      }
    },
    () => ({ challenge_token: challenge?.token }),
  );

  if (challenge) {
    return (
      <div className="card narrow" key="challenge">
        <h1>Two-factor authentication</h1>
        <p className="muted">
          Enter the 6-digit code from your authenticator app for <strong>{challenge.email}</strong>, or one of your recovery codes.
        </p>
        <form onSubmit={code.onSubmit} noValidate>
          <Field
            label="Authentication code"
            name="code"
            inputMode="text"
            autoComplete="one-time-code"
            autoFocus
            spellCheck={false}
            error={code.errors.code}
          />
          <Submit form={code} label="Verify and sign in" working="Verifying…" className="primary block" />
        </form>
        <p className="muted switch-link">
          <button type="button" className="link" onClick={() => setChallenge(null)}>
            Use a different account
          </button>
        </p>
      </div>
    );
  }

  return (
    <div className="card narrow" key="credentials">
      <h1>Sign in</h1>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <form onSubmit={credentials.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" error={credentials.errors.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={credentials.errors.password} />
        <Submit form={credentials} label="Sign in" working="Signing in…" className="primary block" />
      </form>
      <p className="muted switch-link">
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p className="muted switch-link">
        New to AIUS? <Link href="/signup">Create an account</Link>
      </p>
    </div>
  );
}
