'use client';

import { addMemberRequest, type Member, type Role } from '@aius/contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Field, FormError, SelectField } from '@/components/field';
import { ROLE_LABEL, useOrganizations } from '@/components/org-context';
import { useMe } from '@/components/shell';
import { Empty, LoadError, Loading, NotFoundState } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { formatDate } from '@/lib/format';
import { useAction, useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';
import { Invitations } from './invitations';

const ROLE_OPTIONS = (Object.keys(ROLE_LABEL) as Role[]).map((r) => ({ value: r, label: ROLE_LABEL[r] }));

export function MembersView({ clientId }: { clientId: string }) {
  const orgs = useOrganizations();
  const me = useMe();
  const router = useRouter();
  const toast = useToast();
  const org = orgs.list?.find((c) => c.id === clientId) ?? null;
  const members = useQuery('listMembers', { params: { id: clientId } });
  const [removing, setRemoving] = useState<Member | null>(null);
  const canManage = org?.role === 'owner' || org?.role === 'admin';
  const leaving = removing?.user_id === me.user.id;
  // A change to your own membership changes what this page may show you.
  const changed = (member: Member) => {
    members.reload();
    if (member.user_id === me.user.id) orgs.reload();
  };

  if (members.errorStatus === 404) {
    return (
      <>
        <header className="page-header">
          <p className="crumbs">
            <Link href="/organizations">Organizations</Link> /
          </p>
          <h1>Organization not found</h1>
        </header>
        <NotFoundState title="There is no organization at this address.">
          <p>
            It may have been deleted, or the link is mistyped. <Link href="/organizations">See your organizations</Link>.
          </p>
        </NotFoundState>
      </>
    );
  }

  return (
    <>
      <header className="page-header">
        <p className="crumbs">
          <Link href="/organizations">Organizations</Link> /
        </p>
        <h1>{org ? org.name : 'Members'}</h1>
        <p className="muted">
          {org ? `Your role here: ${ROLE_LABEL[org.role]}.` : null} Owners and admins can add
          people and change roles. <Link href={`/organizations/${clientId}/settings`}>Organization settings</Link>
          {canManage ? (
            <>
              {' '}· <Link href={`/audit-log?org=${clientId}`}>Audit log</Link>
            </>
          ) : null}
        </p>
      </header>
      {canManage ? <AddMember clientId={clientId} onAdded={members.reload} /> : null}
      {canManage ? <Invitations clientId={clientId} /> : null}
      <section className="card" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        {members.loading && !members.data ? <Loading /> : null}
        {members.error ? <LoadError message={members.error} onRetry={members.reload} /> : null}
        {members.data && members.data.data.length === 0 ? <Empty title="No members" /> : null}
        {members.data && members.data.data.length > 0 ? (
          <ul className="list">
            {members.data.data.map((m) => (
              <MemberRow
                key={m.user_id}
                clientId={clientId}
                member={m}
                isMe={m.user_id === me.user.id}
                canManage={canManage}
                onChanged={() => changed(m)}
                onRemove={() => setRemoving(m)}
              />
            ))}
          </ul>
        ) : null}
      </section>
      {removing ? (
        <ConfirmDialog
          title={leaving ? `Leave ${org?.name ?? 'this organization'}?` : `Remove ${removing.name}?`}
          confirmLabel={leaving ? 'Leave organization' : 'Remove member'}
          onConfirm={async () => {
            await call('removeMember', { params: { id: clientId, user_id: removing.user_id } });
            toast(leaving ? `You left ${org?.name ?? 'the organization'}` : `${removing.name} removed`);
            if (!leaving) return members.reload();
            orgs.reload();
            router.push('/organizations');
          }}
          onClose={() => setRemoving(null)}
        >
          <p>{leaving ? 'You will lose access to this organization and its projects.' : `${removing.email} will lose access to this organization and its projects.`}</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function AddMember({ clientId, onAdded }: { clientId: string; onAdded: () => void }) {
  const toast = useToast();
  const form = useContractForm(addMemberRequest, async (body, formElement) => {
    const added = await call('addMember', { params: { id: clientId }, body });
    formElement.reset();
    toast(`${added.name} added`);
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
  isMe: boolean;
  canManage: boolean;
  onChanged: () => void;
  onRemove: () => void;
}

function MemberRow({ clientId, member, isMe, canManage, onChanged, onRemove }: MemberRowProps) {
  const roleChange = useAction();
  const toast = useToast();
  const changeRole = (role: Role) =>
    roleChange.run(() =>
      call('updateMember', { params: { id: clientId, user_id: member.user_id }, body: { role } }).then(() => {
        toast(`${member.name} is now ${ROLE_LABEL[role]}`);
        onChanged();
      }),
    );
  const roleId = `role-${member.user_id}`;
  return (
    <li className="list-item">
      <div className="list-main">
        <span className="list-title">
          {member.name}
          {isMe ? <span className="muted"> (you)</span> : null}
        </span>
        <span className="muted small">
          {member.email} · joined {formatDate(member.created_at)}
        </span>
        <FormError message={roleChange.error} />
      </div>
      <div className="list-actions">
        {canManage ? (
          <>
            <label htmlFor={roleId} className="visually-hidden">
              Role of {member.name}
            </label>
            <select id={roleId} value={member.role} disabled={roleChange.pending} onChange={(e) => changeRole(e.target.value as Role)}>
              {ROLE_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <button type="button" className="btn danger-outline small" onClick={onRemove} aria-label={isMe ? 'Leave this organization' : `Remove ${member.name}`}>
              {isMe ? 'Leave' : 'Remove'}
            </button>
          </>
        ) : (
          <span className="badge">{ROLE_LABEL[member.role]}</span>
        )}
      </div>
    </li>
  );
}
