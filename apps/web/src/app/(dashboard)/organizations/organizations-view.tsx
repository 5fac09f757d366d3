'use client';

import { createClientRequest } from '@aius/contracts';
import Link from 'next/link';
import { Field, FormError } from '@/components/field';
import { ROLE_LABEL, useOrganizations } from '@/components/org-context';
import { Empty, LoadError, Loading } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { formatDate } from '@/lib/format';
import { useContractForm } from '@/lib/form';

export function OrganizationsView() {
  const orgs = useOrganizations();
  const toast = useToast();
  const form = useContractForm(createClientRequest, async (body, formElement) => {
    const created = await call('createClient', { body });
    formElement.reset();
    toast(`Organization “${created.name}” created`);
    orgs.switchTo(created.id);
    orgs.reload();
  });

  return (
    <>
      <header className="page-header">
        <h1>Organizations</h1>
        <p className="muted">Projects and tokens belong to an organization. Switch to one to work in it.</p>
      </header>
      <section className="card" aria-labelledby="create-org-title">
        <h2 id="create-org-title">New organization</h2>
        <form className="inline-form" onSubmit={form.onSubmit} noValidate>
          <Field label="Organization name" name="name" error={form.errors.name} maxLength={255} />
          <button type="submit" className="btn primary" disabled={form.pending}>
            {form.pending ? 'Creating…' : 'Create organization'}
          </button>
        </form>
        <FormError message={form.formError} />
      </section>
      <section className="card" aria-labelledby="orgs-title">
        <h2 id="orgs-title">Your organizations</h2>
        {orgs.loading && !orgs.list ? <Loading /> : null}
        {orgs.error ? <LoadError message={orgs.error} onRetry={orgs.reload} /> : null}
        {orgs.list && orgs.list.length === 0 ? <Empty title="You’re not in any organization">Create one above.</Empty> : null}
        {orgs.list && orgs.list.length > 0 ? (
          <ul className="list">
            {orgs.list.map((c) => {
              const current = c.id === orgs.current?.id;
              return (
                <li key={c.id} className="list-item">
                  <div className="list-main">
                    <span className="list-title">{c.name}</span>
                    <span className="muted small">
                      {ROLE_LABEL[c.role]} · since {formatDate(c.created_at)}
                    </span>
                  </div>
                  <div className="list-actions">
                    {current ? (
                      <span className="badge ok">Current</span>
                    ) : (
                      <button type="button" className="btn small" onClick={() => orgs.switchTo(c.id)} aria-label={`Switch to ${c.name}`}>
                        Switch to
                      </button>
                    )}
                    <Link className="btn small" href={`/organizations/${encodeURIComponent(c.id)}`} aria-label={`Members of ${c.name}`}>
                      Members
                    </Link>
                  </div>
                </li>
              );
            })}
          </ul>
        ) : null}
      </section>
    </>
  );
}
