'use client';

import { addMemberRequest, type Member, type Role } from '@aius/contracts';
import Link from 'next/link';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Field, FormError, SelectField } from '@/components/field';
import { ROLE_LABEL, useOrganizations } from '@/components/org-context';
import { Empty, LoadError, Loading } from '@/components/states';
import { ApiError, call } from '@/lib/api';
import { describeError } from '@/lib/error-copy';
import { formatDate } from '@/lib/format';
import { useContractForm } from '@/lib/form';
import { redirectToLogin } from '@/lib/session-client';
import { useQuery } from '@/lib/use-query';

const ROLE_OPTIONS = (Object.keys(ROLE_LABEL) as Role[]).map((r) => ({ value: r, label: ROLE_LABEL[r] }));

export function MembersView({ clientId }: { clientId: string }) {
  const orgs = useOrganizations();
  const org = orgs.list?.find((c) => c.id === clientId) ?? null;
  const members = useQuery('listMembers', { params: { id: clientId } });
  const [removing, setRemoving] = useState<Member | null>(null);
  const canManage = org?.role === 'owner' || org?.role === 'admin';

  return (
    <>
      <header className="page-header">
        <p className="crumbs">
          <Link href="/organizations">Organizations</Link> /
        </p>
        <h1>{org ? org.name : 'Members'}</h1>
        <p className="muted">
          {org ? `You are ${org.role === 'admin' ? 'an' : 'a'} ${ROLE_LABEL[org.role].toLowerCase()} here.` : ' '} Owners and admins can add
          people and change roles.
        </p>
      </header>
      {canManage ? <AddMember clientId={clientId} onAdded={members.reload} /> : null}
      <section className="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        {members.loading && !members.data ? <Loading /> : null}
        {members.error ? <LoadError message={members.error} onRetry={members.reload} /> : null}
        {members.data && members.data.data.length === 0 ? <Empty title="No members" /> : null}
        {members.data && members.data.data.length > 0 ? (
          <ul className="list">
            {members.data.data.map((m) => (
              <MemberRow key={m.user_id} clientId={clientId} member={m} canManage={canManage} onChanged={members.reload} onRemove={() => setRemoving(m)} />
            ))}
          </ul>
        ) : null}
      </section>
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove member"
          onConfirm={async () => {
            await call('removeMember', { params: { id: clientId, user_id: removing.user_id } });
            members.reload();
          }}
          onClose={() => setRemoving(null)}
        >
          <p>
            {removing.email} will lose access to this organization and its projects.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function AddMember({ clientId, onAdded }: { clientId: string; onAdded: () => void }) {
  const form = useContractForm(addMemberRequest, async (body, formElement) => {
    await call('addMember', { params: { id: clientId }, body });
    formElement.reset();
    onAdded();
  });
  return (
    <section className="card" aria-labelledby="add-member-title">
      <h2 id="add-member-title">Add a member</h2>
      <form className="inline-form" onSubmit={form.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="off" error={form.errors.email} />
        <SelectField label="Role" name="role" defaultValue="member" options={ROLE_OPTIONS} error={form.errors.role} />
        <button type="submit" className="btn primary" disabled={form.pending}>
          {form.pending ? 'Adding…' : 'Add member'}
        </button>
      </form>
      <FormError message={form.formError} />
    </section>
  );
}

interface MemberRowProps {
  clientId: string;
  member: Member;
  canManage: boolean;
  onChanged: () => void;
  onRemove: () => void;
}

function MemberRow({ clientId, member, canManage, onChanged, onRemove }: MemberRowProps) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const changeRole = (role: Role) => {
    setPending(true);
    setError(null);
    call('updateMember', { params: { id: clientId, user_id: member.user_id }, body: { role } })
      .then(onChanged)
      .catch((e: unknown) => (e instanceof ApiError && e.isSignedOut ? redirectToLogin() : setError(describeError(e))))
      .finally(() => setPending(false));
  };
  const roleId = `role-${member.user_id}`;
  return (
    <li className="list-item">
      <div className="list-main">
        <span className="list-title">{member.name}</span>
        <span className="muted small">
          {member.email} · joined {formatDate(member.created_at)}
        </span>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <div className="list-actions">
        {canManage ? (
          <>
            <label htmlFor={roleId} className="visually-hidden">
              Role of {member.name}
            </label>
            <select id={roleId} value={member.role} disabled={pending} onChange={(e) => changeRole(e.target.value as Role)}>
              {ROLE_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <button type="button" className="btn danger-outline small" onClick={onRemove} aria-label={`Remove ${member.name}`}>
              Remove
            </button>
          </>
        ) : (
          <span className="badge">{ROLE_LABEL[member.role]}</span>
        )}
      </div>
    </li>
  );
}
