import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { isDatabaseUnavailable, type Prisma } from '@aius/db';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { MailOutboxRepository, type ClaimedMail, type OutboxEntry } from './mail-outbox.repository.js';
import { LogTransport, PermanentMailError, SmtpTransport, type MailTransport } from './mail-transport.js';

/** What a kind's renderer makes of a row; null: nothing to send any more (e.g. no such account). */
export type RenderedMail = { subject: string; text: string } | null;
export type MailRenderer = (mail: { recipient: string; payload: Prisma.JsonValue }) => Promise<RenderedMail>;

export interface MailKind {
  render: MailRenderer;
  /**
   * At most one mail of this kind per recipient per this many ms: a later one is dropped unsent
   * (marked sent, `last_error` says why), so a form submitted in a loop cannot bomb an inbox.
   */
  perRecipientMs?: number;
}

/** Rows one claim takes; each is sent in turn (one SMTP conversation at a time per instance). */
const CLAIM_BATCH = 10;
/** A claimed row is left alone this long: well past SMTP_TIMEOUTS, so only a dead sender's rows come back. */
const CLAIM_LEASE_MS = 120_000;
const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Mail leaves through a table, never from the request that caused it (spec §13): a request only
 * inserts a row (inside its own transaction), so its answer never waits on SMTP (the timing tells
 * nothing about whether an account exists) and an SMTP outage delays mail without losing any.
 * Every instance drains the table: at once after a request queued mail here, and every
 * MAIL_POLL_INTERVAL_MS; rows are claimed with SKIP LOCKED, so two instances never send one row.
 * A failure is retried with doubling delays; an SMTP 5xx, an expired row or MAIL_MAX_ATTEMPTS
 * failures give it up (logged, kept with its error). One bad row never holds up the others.
 *
 * A row holds no secret: the module that queued it renders it when it is sent (`handle`), and
 * mints the link's token then. So a retried mail carries a new link, and the old one, never
 * delivered, is void.
 */
@Injectable()
export class MailOutbox implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MailOutbox');
  private readonly kinds = new Map<string, MailKind>();
  readonly transport: MailTransport;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: MailOutboxRepository,
  ) {
    this.transport = config.SMTP_URL ? new SmtpTransport(config.SMTP_URL, config.MAIL_FROM) : new LogTransport();
  }

  onModuleInit(): void {
    if (this.transport.mode === 'log') this.logger.warn('SMTP_URL is not set: mail (password resets, invitations) is written to this log instead of sent');
    this.timer = setInterval(() => this.kick(), this.config.MAIL_POLL_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    this.transport.close();
  }

  /** Registers one kind of mail (from the owning module's onModuleInit). */
  handle(kind: string, render: MailRenderer, options: Omit<MailKind, 'render'> = {}): void {
    this.kinds.set(kind, { render, ...options });
  }

  /** Queues a mail inside `db`'s transaction when given one; call `kick()` once it has committed. */
  enqueue(entry: OutboxEntry, db?: Prisma.TransactionClient): Promise<void> {
    return this.outbox.insert(entry, db);
  }

  /** Starts a drain now (never awaited by a request); a kick during a drain runs one more after it. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Sends everything due; resolves when the table has nothing due for this instance. For tests and shutdown. */
  async drainNow(): Promise<void> {
    while (this.running) await this.running;
    this.kick();
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const rows = await this.outbox.claim(CLAIM_BATCH, CLAIM_LEASE_MS);
        for (const row of rows) await this.deliver(row);
        if (rows.length < CLAIM_BATCH || this.stopped) return;
      }
    } catch (error) {
      // The claim itself failed: the database is away; the next poll tries again.
      if (!isDatabaseUnavailable(error)) this.logger.error(`outbox drain failed: ${(error as Error).message}`);
    }
  }

  private async deliver(row: ClaimedMail): Promise<void> {
    const what = `mail #${row.id} (${row.kind}) to ${row.recipient}`;
    try {
      if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) {
        await this.outbox.markFailed(row.id, 'expired before it could be sent');
        this.logger.warn(`${what} given up: expired before it could be sent`);
        return;
      }
      const kind = this.kinds.get(row.kind);
      if (!kind) throw new PermanentMailError(`no renderer for kind ${row.kind}`);
      if (kind.perRecipientMs && (await this.outbox.sentRecently(row, kind.perRecipientMs))) {
        await this.outbox.markSent(row.id, `skipped: one was sent to this address less than ${Math.round(kind.perRecipientMs / 1000)} s before`);
        return;
      }
      const mail = await kind.render({ recipient: row.recipient, payload: row.payload });
      if (mail) await this.transport.send({ to: row.recipient, ...mail });
      await this.outbox.markSent(row.id);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0] ?? 'unknown error';
      if (error instanceof PermanentMailError || row.attempts >= this.config.MAIL_MAX_ATTEMPTS) {
        await this.outbox.markFailed(row.id, reason).catch(() => undefined);
        this.logger.error(`${what} given up after ${row.attempts} attempt(s): ${reason}`);
        return;
      }
      const delay = Math.min(this.config.MAIL_RETRY_BASE_MS * 2 ** (row.attempts - 1), MAX_RETRY_DELAY_MS);
      // If this write fails too, the claim's lease brings the row back anyway.
      await this.outbox.retryLater(row.id, delay, reason).catch(() => undefined);
      this.logger.warn(`${what} not sent (attempt ${row.attempts}), retrying in ${Math.round(delay / 1000)} s: ${reason}`);
    }
  }
}
