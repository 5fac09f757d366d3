'use client';

import { twoFactorCodeRequest, type TwoFactorSetupResponse } from '@aius/contracts';
import QRCode from 'qrcode';
import { useEffect, useState, type ReactNode } from 'react';
import { SecretValue } from '@/components/copy-button';
import { Field, FormError, Submit } from '@/components/field';
import { LoadError, Loading } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { useAction, useContractForm, type ContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';
import { ChangePassword, Sessions } from './account-security';
import { RecoveryCodes } from './recovery-codes';

export function SecurityView() {
  const status = useQuery('twoFactorStatus');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [passwordChanges, setPasswordChanges] = useState(0);

  return (
    <>
      <header className="page-header">
        <h1>Security</h1>
        <p className="muted">Your password, where you are signed in, and a second step at sign-in.</p>
      </header>
      {codes ? <RecoveryCodes codes={codes} onDone={() => setCodes(null)} /> : null}
      <section className="card" aria-labelledby="twofa-title">
        <div className="row between">
          <h2 id="twofa-title">Two-factor authentication</h2>
          {status.data ? (
            <span className={`badge ${status.data.enabled ? 'ok' : ''}`}>{status.data.enabled ? 'On' : 'Off'}</span>
          ) : null}
        </div>
        {status.loading && !status.data ? <Loading /> : null}
        {status.error ? <LoadError message={status.error} onRetry={status.reload} /> : null}
        {status.data && !status.data.enabled ? (
          <EnableTwoFactor
            onEnabled={(recovery) => {
              setCodes(recovery);
              status.reload();
            }}
          />
        ) : null}
        {status.data?.enabled ? (
          <ManageTwoFactor remaining={status.data.recovery_codes_remaining} onCodes={setCodes} onDisabled={status.reload} />
        ) : null}
      </section>
      <ChangePassword onChanged={() => setPasswordChanges((n) => n + 1)} />
      <Sessions version={passwordChanges} />
    </>
  );
}

function EnableTwoFactor({ onEnabled }: { onEnabled: (codes: string[]) => void }) {
  const [setup, setSetup] = useState<TwoFactorSetupResponse | null>(null);
  const starting = useAction();
  const toast = useToast();
  const form = useContractForm(twoFactorCodeRequest, async (body) => {
    const result = await call('twoFactorEnable', { body });
    toast('Two-factor authentication is on');
    onEnabled(result.recovery_codes);
  });

  const start = () => starting.run(() => call('twoFactorSetup').then(setSetup));

  if (!setup) {
    return (
      <>
        <p>
          When it’s on, signing in asks for a code from an authenticator app (1Password, Google Authenticator, Authy…) after your
          password.
        </p>
        <FormError message={starting.error} />
        <button type="button" className="btn primary" onClick={start} disabled={starting.pending}>
          {starting.pending ? 'Preparing…' : 'Set up two-factor authentication'}
        </button>
      </>
    );
  }

  return (
    <div className="setup">
      <ol className="steps">
        <li>
          <p>Scan this QR code with your authenticator app.</p>
          <QrCode text={setup.otpauth_url} />
          <p className="muted">Can’t scan it? Enter this key by hand instead:</p>
          <SecretValue value={setup.secret} copyLabel="Copy key" testId="totp-secret" />
        </li>
        <li>
          <form onSubmit={form.onSubmit} noValidate>
            <Field
              label="Enter the 6-digit code the app shows"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              spellCheck={false}
              error={form.errors.code}
            />
            <Submit form={form} label="Turn on two-factor authentication" working="Checking…" />
          </form>
        </li>
      </ol>
    </div>
  );
}

/** Rendered in the browser from the otpauth URL: the secret never leaves the page for an image service. */
function QrCode({ text }: { text: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
      .then((markup) => live && setSvg(markup))
      .catch(() => live && setSvg(null));
    return () => {
      live = false;
    };
  }, [text]);
  if (!svg) return <div className="qr placeholder" aria-hidden="true" />;
  return <img className="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt="QR code for your authenticator app" width={200} height={200} />;
}

function ManageTwoFactor({ remaining, onCodes, onDisabled }: { remaining: number; onCodes: (codes: string[]) => void; onDisabled: () => void }) {
  const [action, setAction] = useState<'regenerate' | 'disable' | null>(null);
  const toast = useToast();
  const regenerate = useContractForm(twoFactorCodeRequest, async (body, formElement) => {
    const result = await call('twoFactorRecoveryCodes', { body });
    formElement.reset();
    setAction(null);
    toast('New recovery codes made; the old ones no longer work');
    onCodes(result.recovery_codes);
  });
  const disable = useContractForm(twoFactorCodeRequest, async (body) => {
    await call('twoFactorDisable', { body });
    setAction(null);
    toast('Two-factor authentication is off');
    onDisabled();
  });

  return (
    <>
      <p>
        Signing in asks for a code from your authenticator app. You have <strong>{remaining}</strong> unused recovery{' '}
        {remaining === 1 ? 'code' : 'codes'} left.
      </p>
      <div className="actions start">
        <button type="button" className="btn" aria-expanded={action === 'regenerate'} onClick={() => setAction(action === 'regenerate' ? null : 'regenerate')}>
          New recovery codes
        </button>
        <button type="button" className="btn danger-outline" aria-expanded={action === 'disable'} onClick={() => setAction(action === 'disable' ? null : 'disable')}>
          Turn off
        </button>
      </div>
      {action === 'regenerate' ? (
        <CodeForm form={regenerate} label="Authentication code" submit="Make new recovery codes" working="Making codes…">
          <p className="muted">Your current recovery codes stop working as soon as the new ones are made.</p>
        </CodeForm>
      ) : null}
      {action === 'disable' ? (
        <CodeForm form={disable} label="Authentication or recovery code" submit="Turn off two-factor authentication" working="Turning off…" danger>
          <p className="warning">Without two-factor authentication, your password alone protects this account.</p>
        </CodeForm>
      ) : null}
    </>
  );
}

interface CodeFormProps {
  form: ContractForm;
  label: string;
  submit: string;
  working: string;
  danger?: boolean;
  children: ReactNode;
}

/** A change that needs a fresh second factor: a TOTP code or a recovery code. */
function CodeForm({ form, label, submit, working, danger, children }: CodeFormProps) {
  return (
    <form className="subform" onSubmit={form.onSubmit} noValidate>
      {children}
      <Field label={label} name="code" autoComplete="one-time-code" spellCheck={false} autoFocus error={form.errors.code} />
      <Submit form={form} label={submit} working={working} className={danger ? 'danger' : 'primary'} />
    </form>
  );
}
