'use client';

import { useEffect, useRef, type ReactNode } from 'react';
import { useAction } from '@/lib/form';
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
  const action = useAction();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const confirm = () => action.run(() => onConfirm().then(onClose));

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-title" onClose={onClose}>
      <h2 id="confirm-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      <FormError message={action.error} />
      <div className="actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()} autoFocus>
          Cancel
        </button>
        <button type="button" className="btn danger" onClick={confirm} disabled={action.pending}>
          {action.pending ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
