import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../audit/log.ts';
import { fakeSmtpServer, parseMail as parse, type FakeSmtpOptions as FakeOptions } from '../test/fake-smtp-server.ts';
import { seedTenant } from '../test/harness.ts';
import { createTestApp } from '../test/memory-ports.ts';
import { createSmtpMailer, formatMessage, isLoopback, SmtpError, smtpSettingsFromEnv, type SmtpSettings } from './smtp.ts';

const FROM = 'sigma@example.com';
const servers: { close(): Promise<void> }[] = [];
async function fake(options?: FakeOptions) {
  const server = await fakeSmtpServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function settingsFor(port: number, overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  return { secure: false, host: '127.0.0.1', port, username: 'us@er', password: 'päss word', from: FROM, ...overrides };
}

const MESSAGE = { to: 'new@acme.example', subject: 'Grüße from Acme', text: 'First line\n.starts with a dot\nhttps://sigma.example/accept#abc.def' };

describe('the SMTP client', () => {
  it('authenticates with PLAIN and sends one message, headers encoded and body intact', async () => {
    const server = await fake({ auth: ['PLAIN', 'LOGIN'] });
    await createSmtpMailer(settingsFor(server.port), { clientName: 'sigma.test', now: () => new Date('2026-01-02T03:04:05Z') }).send(MESSAGE);
    const lines = server.commands.map((c) => c.line);
    expect(lines).toEqual(['EHLO sigma.test', expect.stringMatching(/^AUTH PLAIN /), `MAIL FROM:<${FROM}>`, 'RCPT TO:<new@acme.example>', 'DATA', 'QUIT']);
    expect(Buffer.from(lines[1].slice('AUTH PLAIN '.length), 'base64').toString('utf8')).toBe('\0us@er\0päss word');
    expect(server.messages).toHaveLength(1);
    const { headers, text } = parse(server.messages[0]);
    expect(headers).toMatchObject({
      From: FROM,
      To: 'new@acme.example',
      Subject: `=?UTF-8?B?${Buffer.from('Grüße from Acme').toString('base64')}?=`,
      Date: 'Fri, 02 Jan 2026 03:04:05 +0000',
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Transfer-Encoding': 'base64',
    });
    expect(headers['Message-ID']).toMatch(/^<[0-9a-f-]{36}@example\.com>$/);
    expect(text).toBe('First line\r\n.starts with a dot\r\nhttps://sigma.example/accept#abc.def');
  });

  it('falls back to AUTH LOGIN, and sends no AUTH without credentials', async () => {
    const login = await fake({ auth: ['LOGIN'] });
    await createSmtpMailer(settingsFor(login.port)).send(MESSAGE);
    expect(login.commands.map((c) => c.line).slice(1, 4)).toEqual(['AUTH LOGIN', Buffer.from('us@er').toString('base64'), Buffer.from('päss word').toString('base64')]);
    const open = await fake();
    await createSmtpMailer(settingsFor(open.port, { username: undefined, password: undefined })).send(MESSAGE);
    expect(open.commands.map((c) => c.line.split(' ')[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
  });

  it('reports a refusal with the server’s code and the stage, never the credentials', async () => {
    const rcpt = await fake({ auth: ['PLAIN'], refuse: { command: 'RCPT', reply: '550 5.1.1 no such user' } });
    await expect(createSmtpMailer(settingsFor(rcpt.port)).send(MESSAGE)).rejects.toThrow(
      new SmtpError('The mail server answered 550 to RCPT TO:<new@acme.example>: 5.1.1 no such user'),
    );
    const auth = await fake({ auth: ['PLAIN'], refuse: { command: 'AUTH', reply: '535 5.7.8 bad credentials' } });
    const error = await createSmtpMailer(settingsFor(auth.port)).send(MESSAGE).catch((e: Error) => e);
    expect((error as Error).message).toBe('The mail server answered 535 to AUTH PLAIN: 5.7.8 bad credentials');
    expect(auth.commands.map((c) => c.line.split(' ')[0])).toEqual(['EHLO', 'AUTH']);
    const none = await fake({ auth: ['CRAM-MD5'] });
    await expect(createSmtpMailer(settingsFor(none.port)).send(MESSAGE)).rejects.toThrow('offers neither AUTH PLAIN nor AUTH LOGIN');
  });

  it('gives up on a server that does not answer', async () => {
    const silent = await fake({ silent: true });
    const started = Date.now();
    await expect(createSmtpMailer(settingsFor(silent.port), { timeoutMs: 300 }).send(MESSAGE)).rejects.toThrow(SmtpError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses header injection through the address or subject', async () => {
    const server = await fake();
    const mailer = createSmtpMailer(settingsFor(server.port, { username: undefined }));
    await expect(mailer.send({ ...MESSAGE, to: 'a@b.example>\r\nRCPT TO:<c@d.example' })).rejects.toThrow('Not a mail address');
    await expect(mailer.send({ ...MESSAGE, subject: 'x\r\nBcc: c@d.example' })).rejects.toThrow('A subject is one line');
    expect(server.commands).toEqual([]);
  });

  it('sends a password in clear only to this machine', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1']) expect([host, isLoopback(host)]).toEqual([host, true]);
    for (const host of ['mail.example.com', '10.0.0.1', '::ffff:10.0.0.1', '0.0.0.0', '128.0.0.1']) expect([host, isLoopback(host)]).toEqual([host, false]);
  });

  it('formats the date as RFC 5322 wants and folds the body at 76 characters', () => {
    const message = formatMessage(FROM, { to: 'x@y.example', subject: 'plain', text: 'z'.repeat(500) }, new Date('2026-07-04T23:59:59Z'));
    expect(message).toContain('\r\nSubject: plain\r\n');
    expect(message).toContain('\r\nDate: Sat, 04 Jul 2026 23:59:59 +0000\r\n');
    const body = message.split('\r\n\r\n')[1].split('\r\n');
    expect(body.every((line) => line.length <= 76)).toBe(true);
    expect(Buffer.from(body.join(''), 'base64').toString()).toBe('z'.repeat(500));
  });
});

describe('the SMTP client over TLS', () => {
  let dir: string;
  let pem: { cert: string; key: string } | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sigma-smtp-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      pem = { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
    } catch {
      pem = undefined;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('upgrades with STARTTLS before it authenticates', async (context) => {
    if (!pem) return context.skip();
    const server = await fake({ auth: ['PLAIN'], startTls: pem });
    await createSmtpMailer(settingsFor(server.port), { tls: { ca: pem.cert }, clientName: 'c' }).send(MESSAGE);
    expect(server.commands.map((c) => [c.line.split(' ')[0], c.tls])).toEqual([
      ['EHLO', false],
      ['STARTTLS', false],
      ['EHLO', true],
      ['AUTH', true],
      ['MAIL', true],
      ['RCPT', true],
      ['DATA', true],
      ['QUIT', true],
    ]);
    expect(parse(server.messages[0]).text).toBe(MESSAGE.text.replace(/\n/g, '\r\n'));
  });

  it('speaks TLS from the first byte with smtps, and refuses a certificate it cannot verify', async (context) => {
    if (!pem) return context.skip();
    const server = await fake({ auth: ['PLAIN'], implicitTls: pem });
    await createSmtpMailer(settingsFor(server.port, { secure: true }), { tls: { ca: pem.cert } }).send(MESSAGE);
    expect(server.commands.every((c) => c.tls)).toBe(true);
    expect(server.messages).toHaveLength(1);
    await expect(createSmtpMailer(settingsFor(server.port, { secure: true })).send(MESSAGE)).rejects.toThrow(/Cannot reach the mail server: .*self.signed/);
    const upgrade = await fake({ auth: ['PLAIN'], startTls: pem });
    await expect(createSmtpMailer(settingsFor(upgrade.port)).send(MESSAGE)).rejects.toThrow(/TLS with the mail server failed/);
    expect(upgrade.commands.map((c) => c.line.split(' ')[0])).toEqual(['EHLO', 'STARTTLS']);
  });
});

describe('SMTP settings from the environment', () => {
  const fail = (message: string) => new Error(message);
  it('reads the URL and the sender, with the usual ports', () => {
    expect(smtpSettingsFromEnv({}, fail)).toBeNull();
    expect(smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'smtps://me%40corp:p%3Ass@mail.example.com', SIGMA_SMTP_FROM: FROM }, fail)).toEqual({
      secure: true,
      host: 'mail.example.com',
      port: 465,
      username: 'me@corp',
      password: 'p:ss',
      from: FROM,
    });
    expect(smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'smtp://[::1]:2525', SIGMA_SMTP_FROM: FROM }, fail)).toEqual({ secure: false, host: '::1', port: 2525, from: FROM });
    expect(smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'smtp://relay', SIGMA_SMTP_FROM: FROM }, fail)?.port).toBe(587);
  });

  it('refuses a URL of another scheme, a missing sender, and never echoes the password', () => {
    expect(() => smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'https://mail.example.com', SIGMA_SMTP_FROM: FROM }, fail)).toThrow('must start with smtp:// or smtps://');
    expect(() => smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'smtp://u:secret@mail.example.com' }, fail)).toThrow('SIGMA_SMTP_FROM must be the sender address');
    expect(() => smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'smtp://u:secret@mail.example.com', SIGMA_SMTP_FROM: 'a@b>\r\nX: y' }, fail)).toThrow(/SIGMA_SMTP_FROM/);
    expect(() => smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'not a url secret', SIGMA_SMTP_FROM: FROM }, fail)).toThrow(/^SIGMA_SMTP_URL must be a URL such as/);
    expect(() => smtpSettingsFromEnv({ SIGMA_SMTP_URL: 'smtp://u:secret%zz@mail.example.com', SIGMA_SMTP_FROM: FROM }, fail)).toThrow(/^SIGMA_SMTP_URL: percent-encode/);
  });
});

describe('invitations by mail', () => {
  it('mails the link the API answers, and records that it did', async () => {
    const server = await fake({ auth: ['PLAIN'] });
    const { app, deps, store } = await createTestApp({ mailer: createSmtpMailer(settingsFor(server.port)) });
    const acme = await seedTenant(app, deps, 'Acme');
    const response = await acme.owner.post('/api/v1/admin/invitations', { email: 'new@acme.example', role: 'member' });
    expect(response.status).toBe(201);
    const { url } = await response.json();
    expect(server.messages).toHaveLength(1);
    const { headers, text } = parse(server.messages[0]);
    expect(headers).toMatchObject({ To: 'new@acme.example', Subject: 'Your invitation to Acme on Sigma' });
    expect(text.split('\r\n')).toContain(url);
    expect(text).toContain('owner@acme.example invites you to join Acme on Sigma as member.');
    const events = await readEvents(store, { chain: acme.tenantId });
    expect(events.slice(-2).map((e) => [e.action, e.outcome])).toEqual([
      ['invitation.create', 'success'],
      ['invitation.mail', 'success'],
    ]);
  });

  it('still answers the link when the mail server refuses, and records the failure', async () => {
    const server = await fake({ refuse: { command: 'MAIL', reply: '451 4.3.0 try later' } });
    const { app, deps, store } = await createTestApp({ mailer: createSmtpMailer(settingsFor(server.port, { username: undefined })) });
    const acme = await seedTenant(app, deps, 'Acme');
    const response = await acme.owner.post('/api/v1/admin/invitations', { email: 'new@acme.example', role: 'viewer' });
    expect(response.status).toBe(201);
    expect((await response.json()).url).toMatch(/^http:\/\/localhost\/accept#[a-z2-7]{32}\.[a-z2-7]{32}$/);
    expect((await readEvents(store, { chain: acme.tenantId })).at(-1)).toMatchObject({ action: 'invitation.mail', outcome: 'failure' });
  });
});
