/**
 * Just enough SMTP for nodemailer on a real socket (EHLO, MAIL, RCPT, DATA, QUIT), optionally
 * offering STARTTLS with a given certificate. `mails` holds what was accepted, `tlsMails` how many
 * of them came over TLS.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

export interface Mail {
  from: string;
  to: string[];
  data: string;
  tls: boolean;
}

export interface TestSmtp {
  readonly port: number;
  readonly mails: Mail[];
  close(): Promise<void>;
}

export async function startTestSmtp(options: { starttls?: { cert: string; key: string } } = {}): Promise<TestSmtp> {
  const mails: Mail[] = [];
  const sockets = new Set<Socket>();
  const serve = (socket: Socket, secure: boolean): void => {
    let buf = '';
    let inData = false;
    let mail: Mail = { from: '', to: [], data: '', tls: secure };
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          mails.push(mail);
          mail = { from: '', to: [], data: '', tls: secure };
          socket.write('250 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write(options.starttls && !secure ? '250-test-smtp\r\n250-STARTTLS\r\n250 8BITMIME\r\n' : '250-test-smtp\r\n250 8BITMIME\r\n');
        else if (line.toUpperCase() === 'STARTTLS' && options.starttls && !secure) {
          socket.off('data', onData);
          socket.write('220 go ahead\r\n', () => {
            const upgraded = new TLSSocket(socket, { isServer: true, cert: options.starttls?.cert, key: options.starttls?.key });
            upgraded.on('error', () => undefined);
            sockets.add(upgraded);
            serve(upgraded, true);
          });
          return;
        } else if (line.toUpperCase() === 'STARTTLS') socket.write('502 5.5.1 STARTTLS not offered\r\n');
        else if (verb === 'MAIL') {
          mail.from = line.slice(10).trim();
          socket.write('250 ok\r\n');
        } else if (verb === 'RCPT') {
          mail.to.push(line.slice(8).trim());
          socket.write('250 ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    };
    socket.on('data', onData);
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 test-smtp ready\r\n');
    serve(socket, false);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    mails,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
