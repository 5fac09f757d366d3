'use client';

import { AUDIT_ACTIONS, type AuditAction, type AuditEventWire, type AuditLogQuery } from '@aius/contracts';
import { useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Moment } from '@/components/moment';
import { Pager, useCursorPages } from '@/components/pager';
import { useOrganizations } from '@/components/org-context';
import { Empty, LoadError, Loading } from '@/components/states';
import { useQuery } from '@/lib/use-query';

/** Words for each action, so the table reads as sentences rather than codes. */
const ACTION_LABEL: Record<AuditAction, string> = {
  'user.registered': 'Account created',
  'login.succeeded': 'Signed in',
  'login.failed': 'Failed sign-in',
  logout: 'Signed out',
  '2fa.enabled': 'Two-factor turned on',
  '2fa.disabled': 'Two-factor turned off',
  '2fa.recovery_code_used': 'Recovery code used',
  '2fa.recovery_codes_regenerated': 'Recovery codes regenerated',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset',
  'session.ended': 'Session ended',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
  'client.created': 'Organization created',
  'client.renamed': 'Organization renamed',
  'client.deleted': 'Organization deleted',
  'member.added': 'Member added',
  'member.removed': 'Member removed',
  'member.role_changed': 'Member role changed',
  'member.left': 'Member left',
  'invitation.created': 'Invitation sent',
  'invitation.cancelled': 'Invitation cancelled',
  'invitation.accepted': 'Invitation accepted',
  'project.deleted': 'Project deleted',
  'admin.user_disabled': 'User disabled by an admin',
  'admin.user_enabled': 'User enabled by an admin',
  'admin.user_created': 'User created by an admin',
  'credits.granted': 'Credits granted',
  'plan.changed': 'Plan changed',
};

interface Filters {
  action?: AuditAction;
  actor_id?: string;
  since?: number;
  until?: number;
}

/** Spec §13: your own security events, or an organization's (owners and admins), filtered by action, actor and date. */
export function AuditLogView() {
  const orgs = useOrganizations();
  const requested = useSearchParams().get('org');
  const manageable = (orgs.list ?? []).filter((o) => o.role === 'owner' || o.role === 'admin');
  const [scope, setScope] = useState<string>(requested && manageable.some((o) => o.id === requested) ? requested : requested ?? 'me');
  const [filters, setFilters] = useState<Filters>({});
  // Every Apply reads the log again, the same filters included: events recorded since (written a moment
  // after the change they describe) must show without a reload of the page.
  const [applied, setApplied] = useState(0);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => {
      const v = String(form.get(name) ?? '').trim();
      return v === '' ? undefined : v;
    };
    const day = (name: string, end: boolean) => {
      const v = text(name);
      if (!v) return undefined;
      // A date picks the whole day (UTC): `until` is exclusive, so the next midnight.
      return Math.floor(Date.parse(`${v}T00:00:00Z`) / 1000) + (end ? 86_400 : 0);
    };
    const chosen: Filters = { action: text('action') as AuditAction | undefined, actor_id: text('actor'), since: day('from', false), until: day('to', true) };
    // Only the filters set: an absent one must not reach the query string at all.
    setFilters(Object.fromEntries(Object.entries(chosen).filter(([, v]) => v !== undefined)) as Filters);
    setApplied((n) => n + 1);
  };

  return (
    <>
      <header className="page-header">
        <h1>Audit log</h1>
        <p className="muted">Security events: sign-ins, two-factor, passwords, sessions, API tokens, members and organizations. Newest first; nothing here is ever a secret.</p>
      </header>
      <section className="card" aria-labelledby="audit-filters-title">
        <h2 id="audit-filters-title">Show</h2>
        <form className="inline-form" onSubmit={apply}>
          <label className="field">
            <span>Log</span>
            <select name="scope" value={scope} onChange={(e) => setScope(e.target.value)} aria-label="Log">
              <option value="me">My account</option>
              {manageable.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Action</span>
            <select name="action" defaultValue="" aria-label="Action">
              <option value="">Any action</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {ACTION_LABEL[a]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Actor (user id)</span>
            <input name="actor" type="text" autoComplete="off" placeholder="usr_…" aria-label="Actor" />
          </label>
          <label className="field">
            <span>From</span>
            <input name="from" type="date" aria-label="From" />
          </label>
          <label className="field">
            <span>To</span>
            <input name="to" type="date" aria-label="To" />
          </label>
          <button type="submit" className="btn primary">
            Apply filters
          </button>
        </form>
      </section>
      <AuditEvents key={`${scope}:${applied}:${JSON.stringify(filters)}`} scope={scope} filters={filters} />
    </>
  );
}

function AuditEvents({ scope, filters }: { scope: string; filters: Filters }) {
  const pages = useCursorPages();
  const query: AuditLogQuery = { limit: 25, ...filters, ...(pages.before ? { before: pages.before } : {}) };
  const mine = useQuery(scope === 'me' ? 'myAuditLog' : null, { query });
  const org = useQuery(scope === 'me' ? null : 'clientAuditLog', { params: { id: scope }, query });
  const events = scope === 'me' ? mine : org;
  const data = events.data;

  if (events.loading && !data) return <Loading />;
  if (events.error) return <LoadError message={events.error} onRetry={events.reload} />;
  if (!data) return null;
  if (data.data.length === 0 && pages.first) return <Empty title="No events">Nothing matches these filters yet.</Empty>;
  return (
    <section className="card" aria-labelledby="audit-events-title">
      <h2 id="audit-events-title">Events</h2>
      <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Who</th>
              <th scope="col">On</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {data.data.map((e) => (
              <EventRow key={e.id} event={e} />
            ))}
          </tbody>
        </table>
      </div>
      <Pager pages={pages} nextBefore={data.next_before} />
    </section>
  );
}

function EventRow({ event }: { event: AuditEventWire }) {
  return (
    <tr>
      <td>
        <Moment seconds={event.created_at} />
      </td>
      <td>{ACTION_LABEL[event.action]}</td>
      <td>{event.actor_email ?? event.actor_id ?? '—'}</td>
      <td>{event.target_type ? `${event.target_type} ${event.target_id ?? ''}` : '—'}</td>
      <td title={event.user_agent ?? undefined}>{event.ip ?? '—'}</td>
    </tr>
  );
}
