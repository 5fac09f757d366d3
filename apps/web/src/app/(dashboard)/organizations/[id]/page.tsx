import type { Metadata } from 'next';
import { MembersView } from './members-view';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <MembersView clientId={id} />;
}
