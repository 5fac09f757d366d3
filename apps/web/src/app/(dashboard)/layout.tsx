import type { ReactNode } from 'react';
import { Shell } from '@/components/shell';
import { instanceSettings, requireSession } from '@/lib/session';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const [me, instance] = await Promise.all([requireSession(), instanceSettings()]);
  return (
    <Shell me={me} instance={instance}>
      {children}
    </Shell>
  );
}
