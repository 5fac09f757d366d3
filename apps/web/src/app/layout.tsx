import type { Metadata } from 'next';
import { GeistSans } from 'geist/font/sans';
import type { ReactNode } from 'react';

export const metadata: Metadata = { title: 'AIUS', description: 'AIUS dashboard' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className={GeistSans.className}>
      <body>{children}</body>
    </html>
  );
}
