'use client';

import { createInvitationRequest, type Role } from '@aius/contracts';
import { Field, FormError, SelectField } from '@/components/field';
import { Moment } from '@/components/moment';
import { ROLE_LABEL } from '@/components/org-context';
import { Empty, LoadError, Loading } from '@/components/states';
import { useToast } from '@/components/toast';
import { call } from '@/lib/api';
import { useAction, useContractForm } from '@/lib/form';
import { useQuery } from '@/lib/use-query';

const ROLE_OPTIONS = (Object.keys(ROLE_LABEL) as Role[]).map((r) => ({ value: r, label: ROLE_LABEL[r] }));

/** Invite by email (owners and admins), with the pending invitations and a way to cancel each. */
export function Invitations({ clientId }: { clientId: string }) {
  const pending = useQuery('listInvitations', { params: { id: clientId } });
  const instance = useQuery('instanceInfo');
  const toast = useToast();
  const cancelling = useAction();
  const form = useContractForm(createInvitationRequest, async (body, formElement) => {
    const sent = await call('createInvitation', { params: { id: clientId }, body });
    formElement.reset();
    toast(`Invitation sent to ${sent.email}`);
    pending.reload();
  });
  const cancel = (id: string, email: string) =>
    cancelling.run(async () => {
      await call('cancelInvitation', { params: { id: clientId, invitation_id: id } });
      toast(`Invitation to ${email} cancelled`);
      pending.reload();
    });

  return (
    <section className="card" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite by email</h2>
      <p className="muted">They get a link to join, and can create an account with it if they have none.</p>
      {instance.data?.mail_delivery === 'log' ? (
        <p className="warning" role="note">
          This server does not send email (no SMTP is configured): invitation links are written to the server’s log.
        </p>
      ) : null}
      <form className="inline-form" onSubmit={form.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="off" error={form.errors.email} />
        <SelectField label="Role" name="role" defaultValue="member" options={ROLE_OPTIONS} error={form.errors.role} />
        <button type="submit" className="btn primary" disabled={form.pending}>
          {form.pending ? 'Sending…' : 'Send invitation'}
        </button>
      </form>
      <FormError message={form.formError} />
      <h3>Pending invitations</h3>
      {pending.loading && !pending.data ? <Loading /> : null}
      {pending.error ? <LoadError message={pending.error} onRetry={pending.reload} /> : null}
      {pending.data && pending.data.data.length === 0 ? <Empty title="No pending invitations" /> : null}
      {pending.data && pending.data.data.length > 0 ? (
        <ul className="list" data-testid="pending-invitations">
          {pending.data.data.map((i) => (
            <li key={i.id} className="row between">
              <div>
                <strong>{i.email}</strong> · {ROLE_LABEL[i.role]}
                <p className="muted">
                  sent <Moment seconds={i.created_at} /> · expires <Moment seconds={i.expires_at} />
                </p>
              </div>
              <button type="button" className="btn danger-outline" onClick={() => cancel(i.id, i.email)} disabled={cancelling.pending}>
                Cancel
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <FormError message={cancelling.error} />
    </section>
  );
}
