// A tiny SMTP server on 127.0.0.1 for tests of the SMTP client and of invitation mail:
// it speaks just enough of RFC 5321 (EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA,
// QUIT), records every command and message, and can be told to refuse a command.
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, TLSSocket } from 'node:tls';

export interface FakeSmtpOptions {
  /** AUTH mechanisms offered; none: no AUTH line. */
  auth?: string[];
  /** Offer STARTTLS with this certificate. */
  startTls?: { cert: string; key: string };
  /** TLS from the first byte (smtps). */
  implicitTls?: { cert: string; key: string };
  /** Answer this command (by its first word) with this reply. */
  refuse?: { command: string; reply: string };
  /** Accept connections but never greet. */
  silent?: boolean;
}

export interface Received {
  /** Each command line as the server read it, with whether TLS protected it. */
  commands: { line: string; tls: boolean }[];
  messages: string[];
}

export async function fakeSmtpServer(options: FakeSmtpOptions = {}): Promise<Received & { port: number; close(): Promise<void> }> {
  const received: Received = { commands: [], messages: [] };
  const sockets = new Set<Socket>();
  const serve = (socket: Socket, tls: boolean) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (options.silent) return;
    let buffer = '';
    let data: string[] | null = null;
    let loginStep = 0;
    const reply = (text: string) => socket.write(`${text}\r\n`);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === '.') {
            received.messages.push(data.join('\r\n'));
            data = null;
            reply('250 2.0.0 queued');
          } else data.push(line);
          continue;
        }
        received.commands.push({ line, tls });
        const verb = line.split(' ')[0].toUpperCase();
        if (options.refuse && verb === options.refuse.command) {
          reply(options.refuse.reply);
          continue;
        }
        if (loginStep > 0) {
          reply(loginStep++ === 1 ? '334 UGFzc3dvcmQ6' : '235 2.7.0 ok');
          if (loginStep > 2) loginStep = 0;
          continue;
        }
        if (verb === 'EHLO') {
          const caps = ['250-fake.example greets you', '250-PIPELINING', '250-8BITMIME'];
          if (options.auth) caps.push(`250-AUTH ${options.auth.join(' ')}`);
          if (options.startTls && !tls) caps.push('250-STARTTLS');
          caps.push('250 SMTPUTF8');
          reply(caps.join('\r\n'));
        } else if (verb === 'STARTTLS') {
          reply('220 2.0.0 go ahead');
          socket.removeListener('data', onData);
          const secured = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext(options.startTls) });
          serve(secured, true);
          return;
        } else if (verb === 'AUTH') {
          if (line.toUpperCase().startsWith('AUTH LOGIN')) {
            loginStep = 1;
            reply('334 VXNlcm5hbWU6');
          } else reply('235 2.7.0 ok');
        } else if (verb === 'MAIL' || verb === 'RCPT') reply('250 2.1.0 ok');
        else if (verb === 'DATA') {
          data = [];
          reply('354 go on');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 unknown');
      }
    };
    socket.on('data', onData);
    // A socket upgraded by STARTTLS is not greeted again.
    if (!tls || options.implicitTls) reply('220 fake.example ESMTP');
  };
  const server: Server = options.implicitTls
    ? createTlsServer({ ...options.implicitTls }, (socket) => serve(socket, true))
    : createServer((socket) => serve(socket, false));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    ...received,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Headers and the decoded text of a message as the fake server received it. */
export function parseMail(message: string): { headers: Record<string, string>; text: string } {
  const [head, body] = message.split('\r\n\r\n');
  const headers = Object.fromEntries(head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
  return { headers, text: Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8') };
}

