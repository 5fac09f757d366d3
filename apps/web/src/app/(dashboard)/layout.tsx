import type { ReactNode } from 'react';
import { Shell } from '@/components/shell';
import { requireSession } from '@/lib/session';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const me = await requireSession();
  return <Shell me={me}>{children}</Shell>;
}
