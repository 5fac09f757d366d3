'use client';

import { grantCreditsRequest, IDEMPOTENCY_KEY_HEADER, MAX_GRANT_CREDITS, setPlanRequest } from '@aius/contracts';
import { useId, useRef, useState, type FormEvent } from 'react';
import { Field, FormError } from '@/components/field';
import { useOrganizations } from '@/components/org-context';
import { useToast } from '@/components/toast';
import { ApiError, call } from '@/lib/api';
import { formatCredits } from '@/lib/credits';
import { describeError } from '@/lib/error-copy';
import { formatDate } from '@/lib/format';
import { redirectToLogin } from '@/lib/session-client';

type Errors = Partial<Record<'org' | 'amount' | 'note' | 'plan_name' | 'monthly_quota_credits', string>>;

const ORG_COPY = 'Enter the organization’s ID (its members see it on their Billing page).';
const UNKNOWN_ORG_COPY = 'No organization on this server has this ID.';
const AMOUNT_COPY = `Enter a number of credits other than 0, at most ${MAX_GRANT_CREDITS.toLocaleString('en-US')}; a negative amount takes credits back.`;
const QUOTA_COPY = `Enter a monthly quota from 0 to ${MAX_GRANT_CREDITS.toLocaleString('en-US')} credits.`;
const PLAN_COPY = 'Name the plan (at most 255 characters).';

/** 128 random bits in hex: `crypto.randomUUID` exists only in secure contexts, and a dashboard may be served over plain HTTP on a LAN. */
const randomKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** An empty input is "not given"; anything else must read as a number. */
const numberOf = (v: FormDataEntryValue | null) => (String(v ?? '').trim() === '' ? undefined : Number(String(v).trim()));

/** Spec §12 for instance admins: top up an organization's credits, or change its plan. */
export function BillingAdmin() {
  const orgs = useOrganizations();
  const toast = useToast();
  const listId = useId();
  const [orgId, setOrgId] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState<'grant' | 'plan' | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  // One Idempotency-Key per grant: sending the same values again after a failure (an answer lost
  // on the way back) reuses it, so the retry cannot credit twice; a grant that went through, or
  // other values, get a new one.
  const grantKey = useRef<{ values: string; key: string } | null>(null);

  const run = (action: 'grant' | 'plan', checked: Errors, work: (id: string) => Promise<string>) => {
    const id = orgId.trim();
    const found: Errors = { ...checked, ...(id ? {} : { org: ORG_COPY }) };
    setFormError(null);
    setOutcome(null);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setPending(action);
    work(id)
      .then((said) => {
        setOutcome(said);
        toast(said);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.isSignedOut) return redirectToLogin();
        if (e instanceof ApiError && e.key === 'NOT_FOUND') return setErrors({ org: UNKNOWN_ORG_COPY });
        setFormError(describeError(e));
      })
      .finally(() => setPending(null));
  };

  const grant = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const note = String(data.get('note') ?? '').trim();
    const parsed = grantCreditsRequest.safeParse({ amount: numberOf(data.get('amount')), note: note === '' ? undefined : note });
    const issues: Errors = {};
    if (!parsed.success) for (const issue of parsed.error.issues) issues[issue.path[0] === 'note' ? 'note' : 'amount'] = issue.path[0] === 'note' ? 'Keep the note under 255 characters.' : AMOUNT_COPY;
    run('grant', issues, async (id) => {
      const values = JSON.stringify([id, parsed.data]);
      if (grantKey.current?.values !== values) grantKey.current = { values, key: randomKey() };
      const t = await call('grantCredits', { params: { id }, body: parsed.data! }, { headers: { [IDEMPOTENCY_KEY_HEADER]: grantKey.current.key } });
      grantKey.current = null;
      form.reset();
      return `${t.amount > 0 ? 'Granted' : 'Took back'} ${formatCredits(Math.abs(t.amount))} credits: ${id} now has ${formatCredits(t.balance_after)}`;
    });
  };

  const setPlan = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const parsed = setPlanRequest.safeParse({ plan_name: String(data.get('plan_name') ?? ''), monthly_quota_credits: numberOf(data.get('monthly_quota_credits')) });
    const issues: Errors = {};
    if (!parsed.success) for (const issue of parsed.error.issues) issues[issue.path[0] === 'plan_name' ? 'plan_name' : 'monthly_quota_credits'] = issue.path[0] === 'plan_name' ? PLAN_COPY : QUOTA_COPY;
    run('plan', issues, async (id) => {
      const s = await call('setPlan', { params: { id }, body: parsed.data! });
      return `${id} is on plan ${s.plan_name}: ${formatCredits(s.monthly_quota_credits)} credits a month, this period until ${formatDate(s.current_period_end)}`;
    });
  };

  return (
    <section className="card" aria-labelledby="billing-admin-title">
      <h2 id="billing-admin-title">Credits and plans</h2>
      <p className="muted">
        Grants are top-ups, which never expire; a plan’s monthly quota is spent first and renews each UTC month. Both apply at once and are written to the organization’s audit log.
      </p>
      <Field
        label="Organization ID"
        name="org"
        value={orgId}
        onChange={(e) => setOrgId(e.target.value)}
        list={listId}
        placeholder="client_…"
        autoComplete="off"
        error={errors.org}
        hint="Yours are suggested; anyone else’s is on their Billing page."
      />
      <datalist id={listId}>
        {(orgs.list ?? []).map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </datalist>
        <form className="inline-form" onSubmit={grant} noValidate aria-label="Grant credits">
          <Field label="Credits" name="amount" inputMode="decimal" placeholder="e.g. 500" error={errors.amount} autoComplete="off" />
          <Field label="Note" name="note" placeholder="optional, e.g. invoice 42" error={errors.note} maxLength={255} autoComplete="off" />
          <button type="submit" className="btn primary" disabled={pending !== null}>
            {pending === 'grant' ? 'Granting…' : 'Grant credits'}
          </button>
        </form>
        <form className="inline-form" onSubmit={setPlan} noValidate aria-label="Set plan">
          <Field label="Plan name" name="plan_name" placeholder="e.g. team" error={errors.plan_name} maxLength={255} autoComplete="off" />
          <Field label="Monthly quota (credits)" name="monthly_quota_credits" inputMode="decimal" placeholder="e.g. 10000" error={errors.monthly_quota_credits} autoComplete="off" />
          <button type="submit" className="btn" disabled={pending !== null}>
            {pending === 'plan' ? 'Saving…' : 'Set plan'}
          </button>
        </form>
      <FormError message={formError} />
      {outcome ? (
        <p className="muted" data-testid="billing-admin-outcome">
          {outcome}
        </p>
      ) : null}
    </section>
  );
}
