/**
 * The embedded broker's mqtts listener: certificate, key and optional client CA read from files
 * (a missing file names the setting), TLS 1.2 or newer, client certificates when required.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import type { BrokerConfig } from './broker-schema.ts';

export function createBrokerTlsServer(t: NonNullable<BrokerConfig['tls']>, highWaterMark: number, log: Logger, onConnection: (socket: Socket) => void): TlsServer {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`broker.tls.${what}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const serverCert = read(t.certFile, 'certFile');
  const ca = t.caFile !== undefined ? read(t.caFile, 'caFile') : undefined;
  const tlsServer = createTlsServer(
    {
      highWaterMark,
      cert: serverCert,
      key: read(t.keyFile, 'keyFile'),
      ...(ca ? { ca } : {}),
      requestCert: t.requireClientCert,
      rejectUnauthorized: t.requireClientCert,
      minVersion: 'TLSv1.2',
    },
    (socket) => onConnection(socket),
  );
  tlsServer.on('tlsClientError', (err, socket) => log.warn({ remote: socket.remoteAddress, err: err.message }, 'mqtts handshake failed'));
  return tlsServer;
}
