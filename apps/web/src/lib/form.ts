'use client';

import { isErrorKey } from '@aius/contracts';
import { useCallback, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { ApiError } from './api';
import { copyFor, describeError, fieldOf } from './error-copy';
import { redirectToLogin } from './session-client';

export type FieldErrors = Partial<Record<string, string>>;

/**
 * Checks input with the API's own request schema. Its issues carry an error key as their
 * message (and the exact password rule in params), so one copy table serves both sides.
 */
export function validate<S extends z.ZodType>(schema: S, values: unknown): { data: z.output<S> } | { errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (errors[field]) continue;
    const serverMessage = (issue as { params?: { message?: string } }).params?.message;
    errors[field] = isErrorKey(issue.message) ? copyFor(issue.message, serverMessage) : describeError(null);
  }
  return { errors };
}

export interface ContractForm {
  errors: FieldErrors;
  /** An error about the whole action, shown beside its button. */
  formError: string | null;
  pending: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  clear: () => void;
}

/**
 * A form whose named inputs make up a request body: validated with `schema` before
 * sending, then API errors placed next to the field they concern or beside the action.
 * `extra` adds values that do not come from inputs (the current organization, say).
 */
export function useContractForm<S extends z.ZodType>(
  schema: S,
  submit: (data: z.output<S>, form: HTMLFormElement) => Promise<void>,
  extra?: () => Record<string, unknown>,
): ContractForm {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (pending) return;
    const form = event.currentTarget;
    const values = { ...Object.fromEntries(new FormData(form)), ...extra?.() };
    const checked = validate(schema, values);
    setFormError(null);
    if ('errors' in checked) {
      setErrors(checked.errors);
      focusFirstInvalid(form, checked.errors);
      return;
    }
    setErrors({});
    setPending(true);
    submit(checked.data, form)
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.isSignedOut) return redirectToLogin();
        const field = fieldOf(error);
        if (field && form.elements.namedItem(field)) {
          setErrors({ [field]: describeError(error) });
          focusFirstInvalid(form, { [field]: 'x' });
        } else {
          setFormError(describeError(error));
        }
      })
      .finally(() => setPending(false));
  };

  return { errors, formError, pending, onSubmit, clear: () => (setErrors({}), setFormError(null)) };
}

function focusFirstInvalid(form: HTMLFormElement, errors: FieldErrors) {
  for (const element of Array.from(form.elements)) {
    const name = (element as HTMLInputElement).name;
    if (name && errors[name]) return (element as HTMLElement).focus();
  }
}

/**
 * A one-click action (fork, change a role, confirm a dialog): pending while it runs, its
 * failure kept as copy for the caller to show beside the control; a dead session → /login.
 */
export function useAction(): { pending: boolean; error: string | null; run: (work: () => Promise<unknown>) => void } {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback((work: () => Promise<unknown>) => {
    setPending(true);
    setError(null);
    work()
      .catch((e: unknown) => (e instanceof ApiError && e.isSignedOut ? redirectToLogin() : setError(describeError(e))))
      .finally(() => setPending(false));
  }, []);
  return { pending, error, run };
}
