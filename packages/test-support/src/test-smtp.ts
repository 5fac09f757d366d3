import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message as the test SMTP server received and parsed it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Every http(s) link in the text part, in order. */
  links: string[];
}

export interface TestSmtp {
  /** `smtp://127.0.0.1:PORT` — for the API's SMTP_URL. */
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Resolves with the first message to `to` (already received or still to come) that `match` accepts. */
  waitFor(to: string, options?: { timeoutMs?: number; match?: (mail: ReceivedMail) => boolean; after?: number }): Promise<ReceivedMail>;
  /** While down, every message is refused with a temporary 451 (an SMTP outage the sender must survive). */
  setDown(down: boolean): void;
  /** Refuses this recipient for good (550), as a relay does an address it will never accept. */
  refuse(address: string): void;
  /** Each message is accepted only after this long (a slow relay: a sender that waited on it would show). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1, for tests that follow an email's
 * link: the API sends through it exactly as it would through a site's relay. No TLS and no
 * authentication, so `smtp://127.0.0.1:PORT` works as-is.
 */
export async function startTestSmtp(port = 0): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  let down = false;
  let delayMs = 0;
  const refused = new Set<string>();
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refused.has(address.address.toLowerCase())) return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      if (down) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Mail service temporarily unavailable'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then(async (parsed) => {
          if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
          const text = parsed.text ?? '';
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : null,
            links: text.match(/https?:\/\/[^\s<>")]+/g) ?? [],
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${bound}`,
    port: bound,
    received,
    setDown(value) {
      down = value;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    refuse(address) {
      refused.add(address.toLowerCase());
    },
    waitFor(to, { timeoutMs = 10_000, match = () => true, after = 0 } = {}) {
      const find = () => received.slice(after).find((m) => m.to.includes(to.toLowerCase()) && match(m));
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const wake = () => {
          const mail = find();
          if (!mail) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
