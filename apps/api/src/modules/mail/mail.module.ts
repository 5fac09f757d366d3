import { Module } from '@nestjs/common';
import { MailOutbox } from './mail-outbox.js';
import { MailOutboxRepository } from './mail-outbox.repository.js';

/**
 * Outgoing mail (spec §13): the `mail_outbox` table and the sender that drains it. Imports no
 * domain module; the modules that send mail (password reset, invitations) import it and register
 * a renderer for their kind.
 */
@Module({ providers: [MailOutbox, MailOutboxRepository], exports: [MailOutbox] })
export class MailModule {}
