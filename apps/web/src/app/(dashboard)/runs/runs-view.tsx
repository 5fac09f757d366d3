'use client';

import type { ClientSummary, RunSummary } from '@aius/contracts';
import Link from 'next/link';
import { Moment } from '@/components/moment';
import { Pager, useCursorPages } from '@/components/pager';
import { OrganizationStates, useOrganizations } from '@/components/org-context';
import { Empty, LoadError, Loading } from '@/components/states';
import { useQuery } from '@/lib/use-query';
import { STATUS_LABEL, count, formatDuration } from './run-format';
import styles from './runs.module.css';

export function RunsView() {
  const orgs = useOrganizations();
  const org = orgs.current;
  return (
    <>
      <header className="page-header">
        <h1>Runs</h1>
        <p className="muted">Agent runs from the AIUS CLI with {org ? <>{org.name}’s</> : 'your organization’s'} API tokens, newest first. A run shows up when it ends.</p>
      </header>
      <OrganizationStates orgs={orgs} />
      {org ? <OrganizationRuns key={org.id} org={org} /> : null}
    </>
  );
}

function OrganizationRuns({ org }: { org: ClientSummary }) {
  const pages = useCursorPages();
  const runs = useQuery('listRuns', { query: { org_id: org.id, limit: 25, ...(pages.before ? { before: pages.before } : {}) } });
  const data = runs.data;

  if (runs.loading && !data) return <Loading />;
  if (runs.error) return <LoadError message={runs.error} onRetry={runs.reload} />;
  if (!data) return null;
  if (data.data.length === 0 && pages.first) {
    return <Empty title="No runs yet">Prompts sent with the AIUS CLI against this server show up here once they finish.</Empty>;
  }
  return (
    <section className="card" aria-labelledby="runs-title">
      <h2 id="runs-title">Recent runs</h2>
      <div className={styles.scroll}>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col">Agent</th>
              <th scope="col">Model</th>
              <th scope="col" className={styles.number}>Steps</th>
              <th scope="col" className={styles.number}>Tokens</th>
              <th scope="col" className={styles.number}>Duration</th>
              <th scope="col">Who</th>
            </tr>
          </thead>
          <tbody>
            {data.data.map((run) => (
              <RunRow key={run.id} run={run} />
            ))}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} nextBefore={data.next_before} />
    </section>
  );
}

function RunRow({ run }: { run: RunSummary }) {
  return (
    <tr>
      <td>
        <Link href={`/runs/${run.id}`} aria-label={`Run ${run.run_id}`}>
          <Moment seconds={run.started_at} />
        </Link>
      </td>
      <td>
        <span className={`${styles.status} ${styles[run.status]}`}>{STATUS_LABEL[run.status]}</span>
      </td>
      <td>{run.agent}</td>
      <td className={styles.mono}>{run.model}</td>
      <td className={styles.number}>{run.iterations}</td>
      <td className={styles.number}>{count(run.total_tokens)}</td>
      <td className={styles.number}>{formatDuration(run.duration_ms)}</td>
      <td>{run.user_email ?? run.user_id}</td>
    </tr>
  );
}
