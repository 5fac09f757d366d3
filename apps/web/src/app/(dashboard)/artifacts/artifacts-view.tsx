'use client';

import { ArtifactBrowser } from '@/components/artifacts/artifact-browser';
import { useOrganizations } from '@/components/org-context';
import { Empty, LoadError, Loading } from '@/components/states';

/** Uploads made without a project, organization-wide; a project's own are on its Artifacts tab. */
export function OrganizationArtifactsView() {
  const orgs = useOrganizations();
  const org = orgs.current;
  return (
    <>
      <header className="page-header">
        <h1>Artifacts</h1>
        <p className="muted">{org ? <>Uploads to {org.name} made without a project. A project’s own are on its Artifacts tab.</> : 'Uploads of your organization.'}</p>
      </header>
      {orgs.loading && !orgs.list ? <Loading /> : null}
      {orgs.error ? <LoadError message={orgs.error} onRetry={orgs.reload} /> : null}
      {orgs.list && !org ? <Empty title="You’re not in any organization">Create one on the Organizations page first.</Empty> : null}
      {org ? (
        <section className="card" aria-labelledby="org-artifacts-title">
          <h2 id="org-artifacts-title">Artifacts in {org.name}</h2>
          <ArtifactBrowser key={org.id} orgId={org.id} projectId={null} />
        </section>
      ) : null}
    </>
  );
}
