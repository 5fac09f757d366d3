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
