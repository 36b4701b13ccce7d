/**
 * E-mail channel through SMTP (nodemailer): one message per attempt, JSON attached as the text body.
 * nodemailer is imported on the first message, not at start-up (a site without e-mail never loads it).
 */
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { tlsClientOptions, type TlsClientConfig } from '../../gateway/platform/tls-client.ts';
import { DeliveryError, type Channel, type DeliveryResult, type OutboundMessage } from './channel.ts';

export interface EmailTarget {
  readonly to: readonly string[];
}

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly from: string;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** Send without TLS (no STARTTLS): only when the site set `plain: true`. */
  readonly plain?: boolean;
  readonly tls?: TlsClientConfig | undefined;
  readonly timeoutMs: number;
}

export class EmailChannel implements Channel<EmailTarget> {
  readonly type = 'email' as const;
  private transport: Promise<Transporter> | undefined;
  private readonly from: string;
  private readonly options: SMTPTransport.Options;

  constructor(smtp: SmtpSettings) {
    this.from = smtp.from;
    // built here, so a bad TLS file is a start-up error, not a failed delivery
    this.options = {
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      // STARTTLS is required unless the site explicitly allows plain SMTP
      requireTLS: !smtp.secure && smtp.plain !== true,
      ignoreTLS: !smtp.secure && smtp.plain === true,
      ...(smtp.tls ? { tls: tlsClientOptions(smtp.tls, 'workOrders.smtp') } : {}),
      ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: smtp.timeoutMs,
      greetingTimeout: smtp.timeoutMs,
      socketTimeout: smtp.timeoutMs,
    };
  }

  private async createTransport(): Promise<Transporter> {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport(this.options);
  }

  async send(target: EmailTarget, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    if (signal.aborted) throw new DeliveryError('e-mail: timed out before sending');
    try {
      this.transport ??= this.createTransport();
      await (await this.transport).sendMail({
        from: this.from,
        to: [...target.to],
        subject: message.subject,
        text: `${message.subject}\n\n${JSON.stringify(JSON.parse(message.body), null, 2)}\n`,
        headers: { 'X-Idempotency-Key': message.id, 'X-Event': message.event },
        messageId: `<${message.id}@work-orders.gateway>`,
      });
    } catch (err) {
      throw new DeliveryError(`SMTP: ${(err as Error).message}`);
    }
    return {};
  }

  async close(): Promise<void> {
    const transport = this.transport;
    this.transport = undefined;
    if (transport) (await transport).close();
  }
}
