'use client';

import { createProjectRequest, type ClientSummary, type Project } from '@aius/contracts';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Field, FormError } from '@/components/field';
import { OrganizationStates, useOrganizations } from '@/components/org-context';
import { Empty, LoadError, Loading } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';
import { ProjectRow } from './project-row';

export function ProjectsView() {
  const orgs = useOrganizations();
  const org = orgs.current;
  return (
    <>
      <header className="page-header">
        <h1>Projects</h1>
        <p className="muted">{org ? <>In {org.name}. Switch organization at the top of the page.</> : 'Projects of your organization.'}</p>
      </header>
      <OrganizationStates orgs={orgs} />
      {org ? <OrganizationProjects key={org.id} org={org} /> : null}
    </>
  );
}

function OrganizationProjects({ org }: { org: ClientSummary }) {
  const projects = useQuery('listProjects', { query: { org_id: org.id } });
  const [deleting, setDeleting] = useState<Project | null>(null);
  const toast = useToast();
  const form = useContractForm(
    createProjectRequest,
    async (body, formElement) => {
      // An empty description box means no description, not an empty one.
      await call('createProject', { body: { ...body, description: body.description || undefined } });
      formElement.reset();
      toast(`Project “${body.name}” created`);
      projects.reload();
    },
    () => ({ org_id: org.id }),
  );
  const list = projects.data?.data ?? [];

  return (
    <>
      <section className="card" aria-labelledby="new-project-title">
        <h2 id="new-project-title">New project</h2>
        <form onSubmit={form.onSubmit} noValidate>
          <div className="inline-form">
            <Field label="Project name" name="name" error={form.errors.name} maxLength={255} />
            <Field label="Description (optional)" name="description" error={form.errors.description} maxLength={10000} />
            <button type="submit" className="btn primary" disabled={form.pending}>
              {form.pending ? 'Creating…' : 'Create project'}
            </button>
          </div>
          <FormError message={form.formError ?? form.errors.org_id} />
        </form>
      </section>
      <section className="card" aria-labelledby="projects-title">
        <h2 id="projects-title">Projects in {org.name}</h2>
        {projects.loading && !projects.data ? <Loading /> : null}
        {projects.error ? <LoadError message={projects.error} onRetry={projects.reload} /> : null}
        {projects.data && list.length === 0 ? <Empty title="No projects yet">Create the first one above.</Empty> : null}
        {list.length > 0 ? (
          <ul className="list">
            {list.map((p) => (
              <ProjectRow key={p.id} project={p} onChanged={projects.reload} onDelete={() => setDeleting(p)} />
            ))}
          </ul>
        ) : null}
      </section>
      {deleting ? (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          confirmLabel="Delete project"
          onConfirm={async () => {
            await call('deleteProject', { params: { id: deleting.id } });
            toast(`Project “${deleting.name}” deleted`);
            projects.reload();
          }}
          onClose={() => setDeleting(null)}
        >
          <p>The project is removed for everyone in {org.name}. Forks of it are kept. This can’t be undone.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
