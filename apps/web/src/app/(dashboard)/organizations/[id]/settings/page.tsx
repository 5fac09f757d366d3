import type { Metadata } from 'next';
import { OrganizationSettingsView } from './organization-settings-view';

export const metadata: Metadata = { title: 'Organization settings' };

export default async function OrganizationSettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <OrganizationSettingsView clientId={id} />;
}
