'use client';

import type { ClientSummary } from '@aius/contracts';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Empty, LoadError, Loading } from '@/components/states';
import { useQuery } from '@/lib/use-query';

interface Organizations {
  list: ClientSummary[] | null;
  /** The organization the dashboard is showing (projects, new tokens). */
  current: ClientSummary | null;
  switchTo: (id: string) => void;
  loading: boolean;
  error: string | null;
  reload: () => void;
}

const OrganizationsContext = createContext<Organizations | null>(null);
const STORAGE_KEY = 'aius.organization';

export function OrganizationsProvider({ children }: { children: ReactNode }) {
  const query = useQuery('listClients');
  const [chosen, setChosen] = useState<string | null>(null);

  // The choice lives in this browser only; read after mount so server and client render alike.
  useEffect(() => setChosen(window.localStorage.getItem(STORAGE_KEY)), []);

  const switchTo = useCallback((id: string) => {
    window.localStorage.setItem(STORAGE_KEY, id);
    setChosen(id);
  }, []);

  const list = query.data?.data ?? null;
  const value = useMemo<Organizations>(
    () => ({
      list,
      current: list?.find((c) => c.id === chosen) ?? list?.[0] ?? null,
      switchTo,
      loading: query.loading,
      error: query.error,
      reload: query.reload,
    }),
    [list, chosen, switchTo, query.loading, query.error, query.reload],
  );
  return <OrganizationsContext.Provider value={value}>{children}</OrganizationsContext.Provider>;
}

export function useOrganizations(): Organizations {
  const value = useContext(OrganizationsContext);
  if (!value) throw new Error('useOrganizations outside OrganizationsProvider');
  return value;
}

export const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

/** What a page about the current organization shows until it has one: loading, a failed load, or none at all. */
export function OrganizationStates({ orgs }: { orgs: Organizations }) {
  return (
    <>
      {orgs.loading && !orgs.list ? <Loading /> : null}
      {orgs.error ? <LoadError message={orgs.error} onRetry={orgs.reload} /> : null}
      {orgs.list && !orgs.current ? <Empty title="You’re not in any organization">Create one on the Organizations page first.</Empty> : null}
    </>
  );
}
