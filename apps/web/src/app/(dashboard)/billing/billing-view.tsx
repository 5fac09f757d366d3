'use client';

import type { ClientSummary, CreditKind, CreditTransaction } from '@aius/contracts';
import Link from 'next/link';
import { useState } from 'react';
import { lastDays } from '@/components/chart/chart-scale';
import { DailyBarChart } from '@/components/chart/daily-bar-chart';
import { CopyButton } from '@/components/copy-button';
import { Moment } from '@/components/moment';
import { OrganizationStates, useOrganizations } from '@/components/org-context';
import { Pager, useCursorPages } from '@/components/pager';
import { useInstance } from '@/components/shell';
import { Empty, LoadError, Loading } from '@/components/states';
import { formatCredits } from '@/lib/credits';
import { formatDate } from '@/lib/format';
import { useQuery } from '@/lib/use-query';
import styles from './billing.module.css';

const RANGES = [7, 30, 90] as const;
const KIND_LABEL: Record<CreditKind, string> = { grant: 'Grant', usage: 'Calls', renewal: 'Renewal', adjustment: 'Adjustment' };

/** Spec §12 for the members of an organization: its plan, what is left, what it spent and its ledger. */
export function BillingView() {
  const orgs = useOrganizations();
  const org = orgs.current;
  const billing = useInstance().billing_mode === 'credits';
  return (
    <>
      <header className="page-header">
        <h1>Billing</h1>
        <p className="muted">
          Credits {org ? <>of {org.name}</> : 'of your organization'}: 1 credit is $0.01. Each call is taken from the plan’s monthly quota first, then from
          top-ups, which never expire. Days are UTC.
        </p>
      </header>
      {billing ? (
        <>
          <OrganizationStates orgs={orgs} />
          {org ? <OrganizationBilling key={org.id} org={org} /> : null}
        </>
      ) : (
        <Empty title="Billing is off on this server">
          Calls are counted on the <Link href="/usage">Usage</Link> page but not priced or limited. An administrator turns credits on with BILLING_MODE=credits.
        </Empty>
      )}
    </>
  );
}

function OrganizationBilling({ org }: { org: ClientSummary }) {
  const subscription = useQuery('getSubscription', { params: { id: org.id } });
  const credits = useQuery('getCredits', { params: { id: org.id } });
  const sub = subscription.data;
  const balance = credits.data;
  const reload = () => {
    subscription.reload();
    credits.reload();
  };
  const error = subscription.error ?? credits.error;

  return (
    <>
      {(subscription.loading && !sub) || (credits.loading && !balance) ? <Loading /> : null}
      {error ? <LoadError message={error} onRetry={reload} /> : null}
      {sub && balance ? (
        <>
          <dl className={styles.stats} aria-label="Balance">
            <div>
              <dt>Plan</dt>
              <dd className={styles.word}>{sub.plan_name}</dd>
            </div>
            <div>
              <dt>Period</dt>
              <dd className={styles.word}>
                {/* The end is the instant the next period starts: the last day shown is the one before it. */}
                {formatDate(sub.current_period_start)} – {formatDate(sub.current_period_end - 1)}
              </dd>
            </div>
            <div>
              <dt>Quota left</dt>
              <dd data-testid="quota-remaining">
                {formatCredits(balance.quota_remaining)}
                <span className={styles.of}> of {formatCredits(sub.monthly_quota_credits)}</span>
              </dd>
            </div>
            <div>
              <dt>Top-ups</dt>
              <dd data-testid="topup-balance">{formatCredits(balance.topup_balance)}</dd>
            </div>
            <div>
              <dt>Total</dt>
              <dd data-testid="credits-total">{formatCredits(balance.total)}</dd>
            </div>
          </dl>
          {balance.total <= 0 ? (
            <p className="warning" role="status">
              No credits left: calls with this organization’s tokens are refused (402 Insufficient credits) until an instance admin grants more
              {sub.monthly_quota_credits > 0 ? <> or the quota renews on {formatDate(sub.current_period_end)}</> : null}.
            </p>
          ) : null}
          <p className={styles.orgId}>
            Organization ID <code>{org.id}</code> <CopyButton text={org.id} label="Copy ID" />
            <span className="muted"> An instance admin grants credits and sets plans by this ID.</span>
          </p>
        </>
      ) : null}
      <SpendChart org={org} />
      <Transactions org={org} />
    </>
  );
}

function SpendChart({ org }: { org: ClientSummary }) {
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const spend = useQuery('creditsDaily', { params: { id: org.id }, query: lastDays(days) });
  const data = spend.data;
  return (
    <section className="card" aria-labelledby="spend-title">
      <div className={styles.cardHeader}>
        <h2 id="spend-title">Credits spent per day</h2>
        <label className={styles.range}>
          <span>Period</span>
          <select value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof RANGES)[number])}>
            {RANGES.map((r) => (
              <option key={r} value={r}>
                Last {r} days
              </option>
            ))}
          </select>
        </label>
      </div>
      {spend.loading && !data ? <Loading /> : null}
      {spend.error ? <LoadError message={spend.error} onRetry={spend.reload} /> : null}
      {data ? (
        <>
          <DailyBarChart days={data.daily.map((d) => ({ date: d.date, value: d.spent }))} unit="credits spent" format={formatCredits} testId="spend-bar" />
          {data.total_spent === 0 ? <Empty title="Nothing spent in this period">Calls with this organization’s API tokens are priced here within seconds.</Empty> : null}
        </>
      ) : null}
    </section>
  );
}

function Transactions({ org }: { org: ClientSummary }) {
  const pages = useCursorPages();
  const list = useQuery('listCreditTransactions', { params: { id: org.id }, query: { limit: 25, ...(pages.before ? { before: pages.before } : {}) } });
  const data = list.data;
  return (
    <section className="card" aria-labelledby="transactions-title">
      <h2 id="transactions-title">Transactions</h2>
      {list.loading && !data ? <Loading /> : null}
      {list.error ? <LoadError message={list.error} onRetry={list.reload} /> : null}
      {data && data.data.length === 0 && pages.first ? <Empty title="No transactions yet">Grants, plan changes, renewals and priced calls show up here, newest first.</Empty> : null}
      {data && (data.data.length > 0 || !pages.first) ? (
        <>
          <div className={styles.scroll}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Kind</th>
                  <th scope="col" className={styles.number}>Amount</th>
                  <th scope="col" className={styles.number}>Balance after</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {data.data.map((t) => (
                  <TransactionRow key={t.id} transaction={t} />
                ))}
              </tbody>
            </table>
          </div>
          <Pager pages={pages} nextBefore={data.next_before} />
        </>
      ) : null}
    </section>
  );
}

function TransactionRow({ transaction: t }: { transaction: CreditTransaction }) {
  const details = [t.model, t.run_id ? `run ${t.run_id}` : null, t.estimated ? 'estimated (the call’s usage could not be read)' : null, t.note].filter(Boolean).join(' · ');
  return (
    <tr>
      <td data-label="When">
        <Moment seconds={t.created_at} />
      </td>
      <td data-label="Kind">{KIND_LABEL[t.kind]}</td>
      <td data-label="Amount" className={`${styles.number} ${t.amount < 0 ? styles.debit : styles.credit}`}>
        {t.amount > 0 ? '+' : ''}
        {formatCredits(t.amount)}
      </td>
      <td data-label="Balance after" className={styles.number}>
        {formatCredits(t.balance_after)}
      </td>
      <td data-label="Details" className={styles.details}>
        {details || '—'}
      </td>
    </tr>
  );
}
