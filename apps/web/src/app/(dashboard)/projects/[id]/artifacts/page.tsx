import type { Metadata } from 'next';
import { ProjectArtifactsView } from './project-artifacts-view';

export const metadata: Metadata = { title: 'Project artifacts' };

export default async function ProjectArtifactsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ProjectArtifactsView projectId={id} />;
}
