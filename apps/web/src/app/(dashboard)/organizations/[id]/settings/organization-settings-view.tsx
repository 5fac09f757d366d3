'use client';

import { updateClientRequest } from '@aius/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Field, FormError } from '@/components/field';
import { ROLE_LABEL, useOrganizations } from '@/components/org-context';
import { useMe } from '@/components/shell';
import { Loading, NotFoundState } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { useContractForm } from '@/lib/form';

/** Rename and delete (owners), leave (anyone but the last owner): spec §13. */
export function OrganizationSettingsView({ clientId }: { clientId: string }) {
  const orgs = useOrganizations();
  const me = useMe();
  const router = useRouter();
  const toast = useToast();
  const [confirm, setConfirm] = useState<'delete' | 'leave' | null>(null);
  const org = orgs.list?.find((c) => c.id === clientId) ?? null;
  const rename = useContractForm(updateClientRequest, async (body) => {
    const renamed = await call('updateClient', { params: { id: clientId }, body });
    toast(`Renamed to ${renamed.name}`);
    orgs.reload();
  });

  if (!orgs.list) return <Loading />;
  if (!org) {
    return (
      <NotFoundState title="There is no organization at this address.">
        <p>
          It may have been deleted, or you left it. <Link href="/organizations">See your organizations</Link>.
        </p>
      </NotFoundState>
    );
  }
  const isOwner = org.role === 'owner';
  return (
    <>
      <header className="page-header">
        <p className="crumbs">
          <Link href="/organizations">Organizations</Link> / <Link href={`/organizations/${clientId}`}>{org.name}</Link> /
        </p>
        <h1>Organization settings</h1>
        <p className="muted">Your role here: {ROLE_LABEL[org.role]}. Only owners can rename or delete an organization.</p>
      </header>
      {isOwner ? (
        <section className="card" aria-labelledby="rename-title">
          <h2 id="rename-title">Name</h2>
          <form className="inline-form" onSubmit={rename.onSubmit} noValidate>
            <Field label="Organization name" name="name" defaultValue={org.name} error={rename.errors.name} />
            <button type="submit" className="btn primary" disabled={rename.pending}>
              {rename.pending ? 'Saving…' : 'Rename'}
            </button>
          </form>
          <FormError message={rename.formError} />
        </section>
      ) : null}
      <section className="card" aria-labelledby="danger-title">
        <h2 id="danger-title">Leave or delete</h2>
        <p className="muted">Leaving ends your API tokens for this organization. Deleting removes its projects, artifacts and memberships for everyone, and ends every member’s tokens for it; its usage and audit log stay readable.</p>
        <div className="actions">
          <button type="button" className="btn" onClick={() => setConfirm('leave')}>
            Leave organization
          </button>
          {isOwner ? (
            <button type="button" className="btn danger" onClick={() => setConfirm('delete')}>
              Delete organization
            </button>
          ) : null}
        </div>
      </section>
      {confirm ? (
        <ConfirmDialog
          title={confirm === 'delete' ? `Delete ${org.name}?` : `Leave ${org.name}?`}
          confirmLabel={confirm === 'delete' ? 'Delete organization' : 'Leave organization'}
          onConfirm={async () => {
            if (confirm === 'delete') await call('deleteClient', { params: { id: clientId } });
            else await call('removeMember', { params: { id: clientId, user_id: me.user.id } });
            toast(confirm === 'delete' ? `${org.name} deleted` : `You left ${org.name}`);
            orgs.reload();
            router.push('/organizations');
          }}
          onClose={() => setConfirm(null)}
        >
          <p>{confirm === 'delete' ? 'This cannot be undone.' : 'You will lose access to this organization and its projects.'}</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
