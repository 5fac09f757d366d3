import type { ReactNode } from 'react';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="centered auth">
      <p className="brand auth-brand">
        <span className="brand-mark" aria-hidden="true" />
        AIUS
      </p>
      {children}
    </main>
  );
}
