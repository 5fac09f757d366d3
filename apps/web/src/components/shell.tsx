'use client';

import type { InstanceInfoResponse, MeResponse } from '@aius/contracts';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, useContext, useState, type ReactNode } from 'react';
import { ApiError, call } from '@/lib/api';
import { describeError } from '@/lib/error-copy';
import { NAV_ITEMS } from './nav-items';
import { OrganizationsProvider, useOrganizations } from './org-context';
import { ToastProvider } from './toast';

const MeContext = createContext<MeResponse | null>(null);

/** The signed-in account (checked by the dashboard layout before anything renders). */
export function useMe(): MeResponse {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the dashboard shell');
  return me;
}

const InstanceContext = createContext<InstanceInfoResponse | null>(null);

/** This server's settings (GET /instance), read by the dashboard layout with the account. */
export function useInstance(): InstanceInfoResponse {
  const instance = useContext(InstanceContext);
  if (!instance) throw new Error('useInstance outside the dashboard shell');
  return instance;
}

/** The frame around every dashboard page: brand, sections, organization switcher, account. */
export function Shell({ me, instance, children }: { me: MeResponse; instance: InstanceInfoResponse; children: ReactNode }) {
  return (
    <MeContext.Provider value={me}>
      <InstanceContext.Provider value={instance}>
      <OrganizationsProvider>
        <ToastProvider>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <div className="shell">
          <header className="topbar">
            <Link href="/projects" className="brand">
              <span className="brand-mark" aria-hidden="true" />
              AIUS
            </Link>
            <OrganizationSwitcher />
            <Account me={me} />
          </header>
          <Navigation />
          <main className="content" id="main">
            {children}
          </main>
        </div>
        </ToastProvider>
      </OrganizationsProvider>
      </InstanceContext.Provider>
    </MeContext.Provider>
  );
}

function Navigation() {
  const pathname = usePathname();
  const me = useMe();
  const billing = useInstance().billing_mode === 'credits';
  return (
    <nav className="sidenav" aria-label="Sections">
      <ul>
        {NAV_ITEMS.filter((item) => (!item.adminOnly || me.is_admin) && (!item.billing || billing)).map((item) => {
          const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <li key={item.href}>
              <Link href={item.href} aria-current={active ? 'page' : undefined}>
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function OrganizationSwitcher() {
  const { list, current, switchTo } = useOrganizations();
  if (!list || !current) return <div className="switcher" />;
  return (
    <div className="switcher">
      <label htmlFor="org-switcher" className="visually-hidden">
        Current organization
      </label>
      <select id="org-switcher" value={current.id} onChange={(e) => switchTo(e.target.value)}>
        {list.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function Account({ me }: { me: MeResponse }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signOut = () => {
    setPending(true);
    setError(null);
    call('logout')
      .then(() => {
        router.replace('/login');
        router.refresh();
      })
      .catch((e: unknown) => {
        // Already signed out (elsewhere, or expired): the goal is reached.
        if (e instanceof ApiError && e.isSignedOut) return router.replace('/login');
        setError(describeError(e));
        setPending(false);
      });
  };
  return (
    <div className="account">
      <span className="account-name" title={me.user.email}>
        {me.user.name}
      </span>
      <button type="button" className="btn subtle" onClick={signOut} disabled={pending}>
        {pending ? 'Signing out…' : 'Sign out'}
      </button>
      {error ? (
        <p className="form-error account-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
