'use client';

import type { AdminUser } from '@aius/contracts';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Pager, useCursorPages } from '@/components/pager';
import { useInstance, useMe } from '@/components/shell';
import { Empty, LoadError, Loading } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { formatDate } from '@/lib/format';
import { useAction } from '@/lib/form';
import { useQuery } from '@/lib/use-query';
import { AgentsSection } from './agents-section';
import { BillingAdmin } from './billing-admin';
import { CreateUser } from './create-user';

/**
 * Instance administration (spec §13): the users of this server, searched and paged; create,
 * disable and enable; and the agent configuration of §10. Only asked for when GET /me says the
 * account is an admin (the page is reachable by its address, the menu shows it only to admins).
 */
export function AdminView() {
  const me = useMe();
  const [search, setSearch] = useState('');
  const pages = useCursorPages();
  const users = useQuery(me.is_admin ? 'listUsers' : null, { query: { limit: 25, ...(search ? { query: search } : {}), ...(pages.before ? { before: pages.before } : {}) } });
  const [disabling, setDisabling] = useState<AdminUser | null>(null);
  const toast = useToast();
  const billing = useInstance().billing_mode === 'credits';

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSearch(String(new FormData(event.currentTarget).get('query') ?? '').trim());
    pages.reset();
  };

  if (!me.is_admin || users.errorStatus === 403) {
    return (
      <>
        <header className="page-header">
          <h1>Admin</h1>
        </header>
        <Empty title="Only instance admins can see this page">Admins are the accounts listed in the server’s ADMIN_EMAILS setting, or granted with the `admin grant` command.</Empty>
      </>
    );
  }
  const data = users.data;
  return (
    <>
      <header className="page-header">
        <h1>Admin</h1>
        <p className="muted">Everyone with an account on this server. Disabling someone ends their sessions and revokes their API tokens on every instance at once; they cannot sign in until enabled again (their old tokens stay revoked).</p>
      </header>
      <CreateUser onCreated={users.reload} />
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <form className="inline-form" onSubmit={submit} role="search">
          <label className="field">
            <span>Search</span>
            <input name="query" type="search" placeholder="Email or name" aria-label="Search users" defaultValue={search} />
          </label>
          <button type="submit" className="btn">
            Search
          </button>
        </form>
        {users.loading && !data ? <Loading /> : null}
        {users.error ? <LoadError message={users.error} onRetry={users.reload} /> : null}
        {data && data.data.length === 0 ? <Empty title="No users match" /> : null}
        {data && data.data.length > 0 ? (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Name</th>
                  <th scope="col">Joined</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.data.map((u) => (
                  <UserRow key={u.id} user={u} onDisable={() => setDisabling(u)} onChanged={users.reload} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data ? <Pager pages={pages} nextBefore={data.next_before} /> : null}
      </section>
      {billing ? <BillingAdmin /> : null}
      <AgentsSection />
      {disabling ? (
        <ConfirmDialog
          title={`Disable ${disabling.email}?`}
          confirmLabel="Disable user"
          onConfirm={async () => {
            await call('disableUser', { params: { id: disabling.id } });
            toast(`${disabling.email} disabled`);
            users.reload();
          }}
          onClose={() => setDisabling(null)}
        >
          <p>Their sessions end and every API token of theirs is revoked, on every instance, now. They cannot sign in until you enable them again.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function UserRow({ user, onDisable, onChanged }: { user: AdminUser; onDisable: () => void; onChanged: () => void }) {
  const me = useMe();
  const toast = useToast();
  const enable = useAction();
  const isMe = user.id === me.user.id;
  return (
    <tr>
      <td>
        {user.email}
        {user.is_admin ? <span className="badge"> admin</span> : null}
      </td>
      <td>{user.name}</td>
      <td>{formatDate(user.created_at)}</td>
      <td>{user.disabled_at === null ? 'Active' : `Disabled ${formatDate(user.disabled_at)}`}</td>
      <td>
        {user.disabled_at === null ? (
          <button type="button" className="btn danger-outline" disabled={isMe} title={isMe ? 'You cannot disable your own account' : undefined} onClick={onDisable} aria-label={`Disable ${user.email}`}>
            Disable
          </button>
        ) : (
          <button
            type="button"
            className="btn"
            disabled={enable.pending}
            aria-label={`Enable ${user.email}`}
            onClick={() =>
              enable.run(() =>
                call('enableUser', { params: { id: user.id } }).then(() => {
                  toast(`${user.email} enabled`);
                  onChanged();
                }),
              )
            }
          >
            Enable
          </button>
        )}
        {enable.error ? <span className="error">{enable.error}</span> : null}
      </td>
    </tr>
  );
}
