import type { Metadata } from 'next';
import { OrganizationArtifactsView } from './artifacts-view';

export const metadata: Metadata = { title: 'Artifacts' };

export default function ArtifactsPage() {
  return <OrganizationArtifactsView />;
}
