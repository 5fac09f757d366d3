import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';

/** One rendered mail. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Thrown by a transport for a refusal that will not change on retry (an SMTP 5xx). */
export class PermanentMailError extends Error {}

export interface MailTransport {
  /** `smtp`: mail leaves through SMTP_URL; `log`: it is written to the log (no SMTP_URL). */
  readonly mode: 'smtp' | 'log';
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** Short enough that one dead relay does not hold the sender (and its lease) for minutes. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/** nodemailer over SMTP_URL: smtp:// upgrades with STARTTLS when the relay offers it, smtps:// is TLS from the start. */
export class SmtpTransport implements MailTransport {
  readonly mode = 'smtp';
  private readonly transporter: Transporter;

  constructor(url: string, from: string) {
    this.transporter = createTransport({ url, ...SMTP_TIMEOUTS }, { from });
  }

  async send(mail: Mail): Promise<void> {
    try {
      await this.transporter.sendMail({ to: mail.to, subject: mail.subject, text: mail.text });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx: the relay refuses this message for good (bad recipient, policy); retrying only repeats it.
      if (code !== undefined && code >= 500 && code < 600) throw new PermanentMailError(`SMTP ${code}: ${(error as Error).message}`);
      throw error;
    }
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * No SMTP_URL (development, or a server whose operator has not set mail up): each mail, link
 * included, is written to the log at warn level, and the dashboard says so (GET /instance). The
 * one place a link is logged, on purpose: the operator is the only one who can hand it over then.
 */
export class LogTransport implements MailTransport {
  readonly mode = 'log';
  private readonly logger = new Logger('Mail');

  send(mail: Mail): Promise<void> {
    this.logger.warn(`no SMTP_URL: not sent, logged instead. To: ${mail.to} · Subject: ${mail.subject}\n${mail.text}`);
    return Promise.resolve();
  }

  close(): void {}
}
