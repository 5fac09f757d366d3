'use client';

import { useState } from 'react';

/** Copies `text`; where the clipboard is unavailable it says how to copy by hand instead. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'manual'>('idle');
  const copy = () => {
    const done = (ok: boolean) => {
      setStatus(ok ? 'copied' : 'manual');
      setTimeout(() => setStatus('idle'), 2500);
    };
    if (!navigator.clipboard) return done(false);
    navigator.clipboard.writeText(text).then(
      () => done(true),
      () => done(false),
    );
  };
  return (
    <span className="copy">
      <button type="button" className="btn" onClick={copy}>
        {label}
      </button>
      <span className="copy-status" aria-live="polite">
        {status === 'copied' ? 'Copied' : status === 'manual' ? 'Select the text and press Ctrl+C (⌘C)' : ''}
      </span>
    </span>
  );
}

/** A secret shown in full once, selectable, with its copy button. */
export function SecretValue({ value, copyLabel, testId }: { value: string; copyLabel: string; testId: string }) {
  return (
    <div className="secret-row">
      <code className="secret" data-testid={testId}>
        {value}
      </code>
      <CopyButton text={value} label={copyLabel} />
    </div>
  );
}
