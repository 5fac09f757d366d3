'use client';

import Link from 'next/link';
import { ArtifactBrowser } from '@/components/artifacts/artifact-browser';
import { LoadError, Loading } from '@/components/states';
import { useQuery } from '@/lib/use-query';

/** A project's page, on its Artifacts tab (the only tab a project has so far). */
export function ProjectArtifactsView({ projectId }: { projectId: string }) {
  const project = useQuery('getProject', { params: { id: projectId } });
  return (
    <>
      <header className="page-header">
        <p className="crumbs">
          <Link href="/projects">Projects</Link> /
        </p>
        <h1>{project.data?.name ?? 'Project'}</h1>
        <nav className="tabs" aria-label="Project sections">
          <Link href={`/projects/${projectId}/artifacts`} className="tab" aria-current="page">
            Artifacts
          </Link>
        </nav>
      </header>
      {project.loading && !project.data ? <Loading /> : null}
      {project.error ? <LoadError message={project.error} onRetry={project.reload} /> : null}
      {project.data ? (
        <section className="card" aria-labelledby="project-artifacts-title">
          <h2 id="project-artifacts-title">Artifacts</h2>
          <ArtifactBrowser orgId={project.data.org_id} projectId={project.data.id} />
        </section>
      ) : null}
    </>
  );
}
