// A small SMTP client (RFC 5321) over node:net and node:tls, for the one thing the server
// mails: invitation links. It speaks EHLO, STARTTLS (RFC 3207), AUTH PLAIN or LOGIN
// (RFC 4954), one MAIL/RCPT/DATA transaction and QUIT, with a time limit on the whole
// exchange. Written here rather than taken from nodemailer: the need is one plain-text
// message, the code stays short enough to review line by line, and the server gains no
// dependency with its own transport, pooling and template features to keep patched.
import { randomUUID } from 'node:crypto';
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { MailMessage, Mailer } from '../ports.ts';

export interface SmtpSettings {
  /** smtps: TLS from the first byte (port 465); smtp: STARTTLS when offered (port 587 or 25). */
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  /** The sender address (SIGMA_SMTP_FROM). */
  readonly from: string;
}

export class SmtpError extends Error {
  override name = 'SmtpError';
}

/** Angle-bracket and line-break free: nothing that could end a command or add a header. */
const ADDRESS = /^[^\s<>()\\,;:"@]+@[^\s<>()\\,;:"@]+$/;

/**
 * SIGMA_SMTP_URL (`smtps://user:pass@host:465`, `smtp://user:pass@host:587`; user and
 * password percent-encoded) and SIGMA_SMTP_FROM. Null when no URL is set: no mail is sent.
 */
export function smtpSettingsFromEnv(env: Record<string, string | undefined>, fail: (message: string) => Error): SmtpSettings | null {
  const text = env.SIGMA_SMTP_URL?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('SIGMA_SMTP_URL must be a URL such as smtps://user:password@mail.example.com:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw fail('SIGMA_SMTP_URL must start with smtp:// or smtps://');
  if (!url.hostname) throw fail('SIGMA_SMTP_URL must name a host');
  const from = env.SIGMA_SMTP_FROM?.trim() ?? '';
  if (!ADDRESS.test(from)) throw fail('SIGMA_SMTP_FROM must be the sender address, such as sigma@example.com');
  const secure = url.protocol === 'smtps:';
  let credentials: { username: string; password: string } | {} = {};
  try {
    if (url.username) credentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  } catch {
    throw fail('SIGMA_SMTP_URL: percent-encode the user name and password (@ as %40, % as %25)');
  }
  return {
    secure,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    ...credentials,
    from,
  };
}

/** A password may cross the network in clear only to this machine. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
function headerText(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * The message as it goes after DATA. The body is base64 (any text, any line length, 7-bit
 * safe), so no line of it can start with a dot and no dot-stuffing is needed.
 */
export function formatMessage(from: string, message: MailMessage, date: Date): string {
  const domain = from.split('@')[1];
  const body = Buffer.from(message.text.replace(/\r?\n/g, '\r\n'), 'utf8').toString('base64').match(/.{1,76}/g) ?? [];
  return [
    `From: ${from}`,
    `To: ${message.to}`,
    `Subject: ${headerText(message.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    ...body,
  ].join('\r\n');
}

interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
}

/** Reads replies line by line; a reply ends with the line whose code is followed by a space. */
class Connection {
  private buffer = '';
  private lines: string[] = [];
  /** Replies that came before anyone asked for them. */
  private replies: Reply[] = [];
  private waiting: ((reply: Reply | Error) => void) | null = null;
  private failure: Error | null = null;

  constructor(public socket: Socket | TLSSocket) {
    this.attach(socket);
  }

  attach(socket: Socket | TLSSocket): void {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error) => this.fail(new SmtpError(`Connection failed: ${error.message}`)));
    socket.on('close', () => this.fail(new SmtpError('The mail server closed the connection')));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      const match = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!match) return this.fail(new SmtpError('The mail server sent something that is not an SMTP reply'));
      this.lines.push(match[3]);
      if (match[2] === ' ') {
        const reply = { code: Number(match[1]), lines: this.lines };
        this.lines = [];
        const waiting = this.waiting;
        this.waiting = null;
        if (waiting) waiting(reply);
        else this.replies.push(reply);
      }
    }
  }

  fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(this.failure);
  }

  /** Stops reading from the plain socket before TLS takes it over. */
  detach(): Socket | TLSSocket {
    this.socket.removeAllListeners('data').removeAllListeners('error').removeAllListeners('close');
    return this.socket;
  }

  read(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const early = this.replies.shift();
      if (early) return resolve(early);
      if (this.failure) return reject(this.failure);
      this.waiting = (reply) => (reply instanceof Error ? reject(reply) : resolve(reply));
    });
  }

  /** Sends one command and checks the reply's code; `shown` replaces the command in errors (credentials). */
  async command(line: string, expected: readonly number[], shown = line): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.expect(expected, shown);
  }

  async expect(expected: readonly number[], stage: string): Promise<Reply> {
    const reply = await this.read();
    if (!expected.includes(reply.code)) {
      // The server's text may quote our command; only its code and first words are shown.
      throw new SmtpError(`The mail server answered ${reply.code} to ${stage}: ${reply.lines[0]?.slice(0, 120) ?? ''}`);
    }
    return reply;
  }
}

function open(settings: SmtpSettings, tls: ConnectionOptions, timeoutMs: number): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = settings.secure
      ? connectTls({ ...tls, host: settings.host, port: settings.port, servername: isIP(settings.host) ? undefined : settings.host }, () => resolve(socket))
      : connectTcp({ host: settings.host, port: settings.port }, () => resolve(socket));
    socket.once('error', (error) => reject(new SmtpError(`Cannot reach the mail server: ${error.message}`)));
    // Also while connecting: an address that drops packets would otherwise hold the request for minutes.
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
  });
}

function upgrade(socket: Socket, settings: SmtpSettings, tls: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secured = connectTls({ ...tls, socket, servername: isIP(settings.host) ? undefined : settings.host }, () => resolve(secured));
    secured.once('error', (error) => reject(new SmtpError(`TLS with the mail server failed: ${error.message}`)));
  });
}

function capabilities(reply: Reply): Set<string> {
  return new Set(reply.lines.slice(1).map((line) => line.toUpperCase()));
}

function offersAuth(caps: Set<string>, mechanism: string): boolean {
  return [...caps].some((cap) => cap.startsWith('AUTH ') && cap.split(' ').includes(mechanism));
}

export interface SmtpOptions {
  /** Extra TLS options, such as a private CA (`ca`); certificates are always verified. */
  readonly tls?: ConnectionOptions;
  readonly timeoutMs?: number;
  /** The name this client gives in EHLO. */
  readonly clientName?: string;
  readonly now?: () => Date;
}

async function deliver(settings: SmtpSettings, message: MailMessage, options: SmtpOptions, connection: Connection): Promise<void> {
  const tls = { ...options.tls, rejectUnauthorized: true };
  const ehlo = `EHLO ${options.clientName ?? (hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'sigma')}`;
  await connection.expect([220], 'the greeting');
  let caps = capabilities(await connection.command(ehlo, [250]));
  if (!settings.secure) {
    if (caps.has('STARTTLS')) {
      await connection.command('STARTTLS', [220]);
      connection.attach(await upgrade(connection.detach() as Socket, settings, tls));
      caps = capabilities(await connection.command(ehlo, [250]));
    } else if (settings.username !== undefined && !isLoopback(settings.host)) {
      throw new SmtpError('The mail server offers no STARTTLS: the password would cross the network in clear (use smtps://)');
    }
  }
  if (settings.username !== undefined) {
    const { username, password = '' } = settings;
    if (offersAuth(caps, 'PLAIN')) {
      const token = Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
      await connection.command(`AUTH PLAIN ${token}`, [235], 'AUTH PLAIN');
    } else if (offersAuth(caps, 'LOGIN')) {
      await connection.command('AUTH LOGIN', [334]);
      await connection.command(Buffer.from(username, 'utf8').toString('base64'), [334], 'the user name');
      await connection.command(Buffer.from(password, 'utf8').toString('base64'), [235], 'the password');
    } else {
      throw new SmtpError('The mail server offers neither AUTH PLAIN nor AUTH LOGIN');
    }
  }
  await connection.command(`MAIL FROM:<${settings.from}>`, [250]);
  await connection.command(`RCPT TO:<${message.to}>`, [250, 251]);
  await connection.command('DATA', [354]);
  await connection.command(`${formatMessage(settings.from, message, options.now?.() ?? new Date())}\r\n.`, [250], 'the message');
  await connection.command('QUIT', [221]).catch(() => undefined);
}

export function createSmtpMailer(settings: SmtpSettings, options: SmtpOptions = {}): Mailer {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async send(message) {
      if (!ADDRESS.test(message.to)) throw new SmtpError('Not a mail address');
      if (/[\r\n]/.test(message.subject)) throw new SmtpError('A subject is one line');
      const socket = await open(settings, { ...options.tls, rejectUnauthorized: true }, timeoutMs);
      const connection = new Connection(socket);
      const timer = setTimeout(() => connection.fail(new SmtpError(`The mail server did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
      try {
        await deliver(settings, message, options, connection);
      } finally {
        clearTimeout(timer);
        connection.socket.destroy();
      }
    },
  };
}
