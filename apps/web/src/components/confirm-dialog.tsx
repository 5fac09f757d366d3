'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/api';
import { describeError } from '@/lib/error-copy';
import { redirectToLogin } from '@/lib/session-client';
import { FormError } from './field';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/**
 * A modal question before something that cannot be undone. The native <dialog> traps
 * focus and closes on Escape; a failure stays inside the dialog, next to the button.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const confirm = () => {
    setPending(true);
    setError(null);
    onConfirm()
      .then(onClose)
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.isSignedOut) return redirectToLogin();
        setError(describeError(e));
        setPending(false);
      });
  };

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-title" onClose={onClose}>
      <h2 id="confirm-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      <FormError message={error} />
      <div className="actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()} autoFocus>
          Cancel
        </button>
        <button type="button" className="btn danger" onClick={confirm} disabled={pending}>
          {pending ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
