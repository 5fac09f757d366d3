'use client';

import type { ClientSummary } from '@aius/contracts';
import Link from 'next/link';
import { useState } from 'react';
import { OrganizationStates, useOrganizations } from '@/components/org-context';
import { useInstance } from '@/components/shell';
import { Empty, LoadError, Loading } from '@/components/states';
import { formatCredits } from '@/lib/credits';
import { useQuery } from '@/lib/use-query';
import { lastDays } from '@/components/chart/chart-scale';
import { DailyBarChart } from '@/components/chart/daily-bar-chart';
import styles from './usage.module.css';

const RANGES = [7, 30, 90] as const;
type ChartMetric = 'total_tokens' | 'requests';
const n = (v: number) => v.toLocaleString('en-US');

export function UsageView() {
  const orgs = useOrganizations();
  const org = orgs.current;
  return (
    <>
      <header className="page-header">
        <h1>Usage</h1>
        <p className="muted">
          {org ? <>Chat proxy calls made with {org.name}’s API tokens.</> : 'Chat proxy calls made with your organization’s API tokens.'} Days are UTC.
        </p>
      </header>
      <OrganizationStates orgs={orgs} />
      {org ? <OrganizationUsage key={org.id} org={org} /> : null}
    </>
  );
}

function OrganizationUsage({ org }: { org: ClientSummary }) {
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const [metric, setMetric] = useState<ChartMetric>('total_tokens');
  const billing = useInstance().billing_mode === 'credits';
  const usage = useQuery('usage', { query: { org_id: org.id, ...lastDays(days) } });
  const data = usage.data;

  return (
    <>
      {billing ? <CreditsLeft org={org} /> : null}
      <div className={styles.controls}>
        <label htmlFor="usage-period">Period</label>
        <select id="usage-period" value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof RANGES)[number])}>
          {RANGES.map((r) => (
            <option key={r} value={r}>
              Last {r} days
            </option>
          ))}
        </select>
        <label htmlFor="usage-metric">Chart</label>
        <select id="usage-metric" value={metric} onChange={(e) => setMetric(e.target.value as ChartMetric)}>
          <option value="total_tokens">Tokens per day</option>
          <option value="requests">Requests per day</option>
        </select>
      </div>
      {usage.loading && !data ? <Loading /> : null}
      {usage.error ? <LoadError message={usage.error} onRetry={usage.reload} /> : null}
      {data ? (
        <>
          <dl className={styles.stats} aria-label="Totals for the period">
            <div>
              <dt>Requests</dt>
              <dd>{n(data.totals.requests)}</dd>
            </div>
            <div>
              <dt>Failed calls</dt>
              <dd data-testid="failed-calls">{n(data.totals.failed_requests)}</dd>
            </div>
            <div>
              <dt>Prompt tokens</dt>
              <dd>{n(data.totals.prompt_tokens)}</dd>
            </div>
            <div>
              <dt>Completion tokens</dt>
              <dd>{n(data.totals.completion_tokens)}</dd>
            </div>
            <div>
              <dt>Total tokens</dt>
              <dd>{n(data.totals.total_tokens)}</dd>
            </div>
          </dl>
          <section className="card" aria-labelledby="usage-chart-title" style={{ marginTop: '1.25rem' }}>
            <h2 id="usage-chart-title">{metric === 'requests' ? 'Requests' : 'Tokens'} per day</h2>
            <DailyBarChart
              days={data.daily.map((d) => ({ date: d.date, value: d[metric], failed: d.failed_requests }))}
              unit={metric === 'requests' ? 'requests' : 'tokens'}
              stackFailed={metric === 'requests'}
              testId="usage-bar"
            />
            {data.totals.requests === 0 ? (
              <Empty title="No calls in this period yet.">
                Calls to /chat/completions with this organization’s tokens show up here within seconds. <Link href="/get-started">Make a first call</Link>.
              </Empty>
            ) : null}
          </section>
          {data.by_model.length > 0 ? (
            <section className="card" aria-labelledby="usage-models-title">
              <h2 id="usage-models-title">By model</h2>
              <div className={styles.tableScroll}>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col" className={styles.number}>Requests</th>
                    <th scope="col" className={styles.number}>Failed</th>
                    <th scope="col" className={styles.number}>Prompt tokens</th>
                    <th scope="col" className={styles.number}>Completion tokens</th>
                    <th scope="col" className={styles.number}>Total tokens</th>
                  </tr>
                </thead>
                <tbody>
                  {data.by_model.map((m) => (
                    <tr key={m.model}>
                      <th scope="row">{m.model}</th>
                      <td className={styles.number}>{n(m.requests)}</td>
                      <td className={styles.number}>{n(m.failed_requests)}</td>
                      <td className={styles.number}>{n(m.prompt_tokens)}</td>
                      <td className={styles.number}>{n(m.completion_tokens)}</td>
                      <td className={styles.number}>{n(m.total_tokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
            </section>
          ) : null}
        </>
      ) : null}
    </>
  );
}

/** With credits on (spec §12), what the organization has left: a call past it is refused with 402 and counted as failed below. */
function CreditsLeft({ org }: { org: ClientSummary }) {
  const credits = useQuery('getCredits', { params: { id: org.id } });
  const data = credits.data;
  if (credits.error) return <LoadError message={credits.error} onRetry={credits.reload} />;
  return (
    <div className={styles.balance} role="group" aria-label="Credits">
      <span className="muted">Credits left</span>
      <strong data-testid="usage-credits-total">{data ? formatCredits(data.total) : '…'}</strong>
      {data && data.total <= 0 ? <span className={styles.none}>none left: calls are refused until more are granted</span> : null}
      <Link href="/billing">Billing</Link>
    </div>
  );
}
