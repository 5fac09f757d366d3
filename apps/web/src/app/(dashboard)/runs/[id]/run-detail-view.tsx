'use client';

import type { RunDetail } from '@aius/contracts';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Moment } from '@/components/moment';
import { LoadError, Loading } from '@/components/states';
import { useQuery } from '@/lib/use-query';
import { STATUS_LABEL, count, formatDuration } from '../run-format';
import styles from '../runs.module.css';

export function RunDetailView({ runId }: { runId: string }) {
  const run = useQuery('getRun', { params: { id: runId } });
  return (
    <>
      <header className="page-header">
        <p className="crumbs">
          <Link href="/runs">Runs</Link> /
        </p>
        <h1>{run.data ? `Run ${run.data.run_id}` : 'Run'}</h1>
      </header>
      {run.loading && !run.data ? <Loading /> : null}
      {run.error ? <LoadError message={run.error} onRetry={run.reload} /> : null}
      {run.data ? <Run run={run.data} /> : null}
    </>
  );
}

function Run({ run }: { run: RunDetail }) {
  const facts: [string, ReactNode][] = [
    ['Status', STATUS_LABEL[run.status]],
    ['Agent', run.agent],
    ['Model', run.model],
    ['Steps', run.iterations],
    ['Tokens', count(run.total_tokens)],
    ['Duration', formatDuration(run.duration_ms)],
    ['Who', run.user_email ?? run.user_id],
    ['Started', <Moment key="started" seconds={run.started_at} />],
  ];
  return (
    <>
      <dl className={styles.facts} aria-label="Run">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd className={term === 'Model' ? styles.mono : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
      <section className="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Upstream calls</h2>
        {run.calls.length === 0 ? <p className="muted">This run made no upstream call.</p> : null}
        <ol className={styles.timeline}>
          {run.calls.map((c) => (
            <li key={`${c.kind}-${c.iteration}`} className={c.status >= 400 ? styles.failedCall : undefined}>
              <span className={styles.offset}>+{formatDuration(c.offset_ms)}</span>
              <span>
                <strong>{c.kind === 'title' ? 'Title' : `Step ${c.iteration}`}</strong> · {c.model} · HTTP {c.status} · {formatDuration(c.latency_ms)} · {count(c.total_tokens)} tokens
                {c.tool_calls > 0 ? ` · ${c.tool_calls} tool call${c.tool_calls === 1 ? '' : 's'}` : ''}
              </span>
            </li>
          ))}
        </ol>
      </section>
      <section className="card" aria-labelledby="transcript-title">
        <h2 id="transcript-title">Transcript</h2>
        {run.transcript === null ? (
          <p className="muted">Not stored: this server keeps no message content unless its operator sets RUN_STORE_TRANSCRIPTS=true.</p>
        ) : (
          <ol className={styles.transcript}>
            {run.transcript.map((m, i) => (
              <li key={i}>
                <span className={styles.role}>{String(m.role ?? '')}</span>
                <pre>{typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? m.tool_calls ?? null, null, 2)}</pre>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
