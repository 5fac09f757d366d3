import { startTestSmtp, type TestSmtp } from '@aius/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { MailOutbox } from '../../src/modules/mail/mail-outbox.js';
import { captureLogs } from '../faults/log-capture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';

/**
 * The outbox over a real SMTP server on 127.0.0.1: mail queued in the database leaves through
 * nodemailer, survives an outage, is sent once by two instances, and a bad row blocks nothing.
 * The mails here are of a test kind registered on the app's own MailOutbox.
 */
let smtp: TestSmtp;
let t: TestApp;
let outbox: MailOutbox;

const FAST = { MAIL_RETRY_BASE_MS: '50', MAIL_POLL_INTERVAL_MS: '100', PUBLIC_URL: 'https://aius.example.test' };

function testKind(o: MailOutbox): void {
  o.handle('test', async ({ payload }) => ({ subject: `Hello ${(payload as { n: number }).n}`, text: `Your link: https://aius.example.test/x?n=${(payload as { n: number }).n}` }));
}

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startTestApp({ SMTP_URL: smtp.url, ...FAST });
  outbox = t.app.get(MailOutbox);
  testKind(outbox);
});
afterEach(() => smtp.setDown(false));
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const rowsTo = (to: string) => sql<{ sent_at: Date | null; failed_at: Date | null; attempts: number; last_error: string | null }>(t, 'SELECT sent_at, failed_at, attempts, last_error FROM mail_outbox WHERE recipient = $1', [to]);

async function queue(o: MailOutbox, to: string, n: number, expiresAt?: Date): Promise<void> {
  await o.enqueue({ kind: 'test', recipient: to, payload: { n }, expiresAt });
  o.kick();
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('mail outbox', () => {
  it('delivers a queued mail through SMTP with the configured From, and marks its row sent', async () => {
    await queue(outbox, 'ada@example.com', 1);
    const mail = await smtp.waitFor('ada@example.com');
    expect(mail.subject).toBe('Hello 1');
    expect(mail.from).toBe('no-reply@localhost');
    expect(mail.links).toEqual(['https://aius.example.test/x?n=1']);
    const [row] = await until(() => rowsTo('ada@example.com'), (r) => r[0]?.sent_at != null);
    expect(row).toMatchObject({ attempts: 1, failed_at: null, last_error: null });
    expect(row!.sent_at).toBeInstanceOf(Date);
  });

  it('an SMTP outage delays mail and loses none: retried until the relay takes it', async () => {
    smtp.setDown(true);
    await queue(outbox, 'outage@example.com', 2);
    const [failing] = await until(() => rowsTo('outage@example.com'), (r) => (r[0]?.attempts ?? 0) >= 2);
    expect(failing).toMatchObject({ sent_at: null, failed_at: null });
    expect(failing!.last_error).toMatch(/451|temporarily/i);
    expect(smtp.received.some((m) => m.to.includes('outage@example.com'))).toBe(false);
    smtp.setDown(false);
    const mail = await smtp.waitFor('outage@example.com');
    expect(mail.subject).toBe('Hello 2');
    const [row] = await until(() => rowsTo('outage@example.com'), (r) => r[0]?.sent_at != null);
    expect(row!.sent_at).toBeInstanceOf(Date);
    expect(smtp.received.filter((m) => m.to.includes('outage@example.com'))).toHaveLength(1);
  });

  it('a relay that refuses a recipient for good (5xx) fails that row alone; the rest still leave', async () => {
    smtp.refuse('nobody@example.com');
    await queue(outbox, 'nobody@example.com', 3);
    await queue(outbox, 'after-nobody@example.com', 4);
    await smtp.waitFor('after-nobody@example.com');
    const [row] = await until(() => rowsTo('nobody@example.com'), (r) => r[0]?.failed_at != null);
    expect(row).toMatchObject({ sent_at: null, attempts: 1 });
    expect(row!.last_error).toMatch(/550/);
  });

  it('a mail not sent before its expiry is given up, never sent late', async () => {
    await queue(outbox, 'late@example.com', 5, new Date(Date.now() - 1000));
    const [row] = await until(() => rowsTo('late@example.com'), (r) => r[0]?.failed_at != null);
    expect(row).toMatchObject({ sent_at: null, last_error: 'expired before it could be sent' });
    expect(smtp.received.some((m) => m.to.includes('late@example.com'))).toBe(false);
  });

  it('two instances draining one table send each mail exactly once', async () => {
    const second = await startTestApp({ SMTP_URL: smtp.url, ...FAST }, { db: t.db });
    try {
      const other = second.app.get(MailOutbox);
      testKind(other);
      const before = smtp.received.length;
      for (let n = 0; n < 40; n++) await outbox.enqueue({ kind: 'test', recipient: `pair-${n}@example.com`, payload: { n } });
      // Both drain at once, side by side.
      await Promise.all([outbox.drainNow(), other.drainNow(), outbox.drainNow(), other.drainNow()]);
      await until(async () => smtp.received.length - before, (n) => n >= 40);
      const got = smtp.received.slice(before).flatMap((m) => m.to).filter((to) => to.startsWith('pair-'));
      expect(got).toHaveLength(40);
      expect(new Set(got).size).toBe(40);
      const [counted] = await sql<{ unsent: number }>(t, "SELECT count(*)::int AS unsent FROM mail_outbox WHERE recipient LIKE 'pair-%' AND sent_at IS NULL");
      expect(counted!.unsent).toBe(0);
    } finally {
      await second.close();
    }
  });
});

describe('without SMTP_URL', () => {
  it('writes the mail, link included, to the log and marks it done', async () => {
    const logs = captureLogs();
    const plain = await startTestApp({ ...FAST, LOG_LEVEL: 'warn' });
    try {
      const o = plain.app.get(MailOutbox);
      expect(o.transport.mode).toBe('log');
      testKind(o);
      await o.enqueue({ kind: 'test', recipient: 'dev@example.com', payload: { n: 6 } });
      await o.drainNow();
      expect(logs.count(/SMTP_URL is not set/)).toBeGreaterThan(0);
      expect(logs.count(/To: dev@example\.com[\s\S]*https:\/\/aius\.example\.test\/x\?n=6/)).toBe(1);
      const [row] = await sql<{ sent_at: Date | null }>(plain, "SELECT sent_at FROM mail_outbox WHERE recipient = 'dev@example.com'");
      expect(row!.sent_at).toBeInstanceOf(Date);
    } finally {
      logs.stop();
      await plain.close();
    }
  });

  it('SMTP_URL without PUBLIC_URL refuses to boot, naming the variable', async () => {
    const env = { DATABASE_URL: 'postgresql://x@127.0.0.1/x', SESSION_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:2525' };
    expect(() => loadConfig(env)).toThrow('Invalid configuration: PUBLIC_URL is required when SMTP_URL is set (links in mail are built from it)');
    expect(loadConfig({ ...env, PUBLIC_URL: 'https://aius.example.test/' }).PUBLIC_URL).toBe('https://aius.example.test');
    expect(loadConfig({ ...env, SMTP_URL: undefined, APP_ORIGINS: 'https://dash.example.test' }).PUBLIC_URL).toBe('https://dash.example.test');
  });
});
