'use client';

import { ArtifactBrowser } from '@/components/artifacts/artifact-browser';
import { OrganizationStates, useOrganizations } from '@/components/org-context';

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
      <OrganizationStates orgs={orgs} />
      {org ? (
        <section className="card" aria-labelledby="org-artifacts-title">
          <h2 id="org-artifacts-title">Artifacts in {org.name}</h2>
          <ArtifactBrowser key={org.id} orgId={org.id} projectId={null} />
        </section>
      ) : null}
    </>
  );
}
