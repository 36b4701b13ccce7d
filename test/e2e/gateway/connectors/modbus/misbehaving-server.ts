/**
 * A raw-socket Modbus server written for the tests, able to misbehave the ways real devices and
 * gateways do: stay silent, reply late, send two replies in one TCP segment, close the socket
 * (FIN) or reset it (RST, as a killed process with unread data does), restart, or prefix replies
 * with garbage. Speaks Modbus TCP (MBAP) or RTU framing over TCP.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface RawRequest {
  /** 1-based count of requests this server has seen. */
  readonly n: number;
  readonly txn: number;
  readonly unit: number;
  readonly fc: number;
  readonly address: number;
  readonly count: number;
}

export type Action =
  | { readonly kind: 'reply'; readonly value?: number; readonly delayMs?: number; readonly prefix?: Buffer }
  | { readonly kind: 'silent' }
  | { readonly kind: 'close' }
  /** Abort the connection with a TCP RST: the client sees ECONNRESET instead of an orderly end. */
  | { readonly kind: 'reset' }
  /** Keep this reply and send it together with the next one, in one write. */
  | { readonly kind: 'hold'; readonly value?: number };

export type Framing = 'tcp' | 'rtu';

export const GOOD = 42;
export const POISON = 0xdead;

export function crc16(buf: Buffer): number {
  let crc = 0xffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export class MisbehavingServer {
  readonly framing: Framing;
  script: (req: RawRequest) => Action = () => ({ kind: 'reply' });
  requests = 0;
  connections = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private held: Buffer | undefined;
  port = 0;

  constructor(framing: Framing) {
    this.framing = framing;
  }

  async listen(port = 0): Promise<number> {
    const server = createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  /** Stop listening and drop every connection (a device reboot). */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(sock: Socket): void {
    this.connections++;
    this.sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const frameLength = this.framing === 'tcp' ? 12 : 8;
        if (buf.length < frameLength) return;
        const frame = buf.subarray(0, frameLength);
        buf = buf.subarray(frameLength);
        const pdu = this.framing === 'tcp' ? frame.subarray(6) : frame;
        const req: RawRequest = {
          n: ++this.requests,
          txn: this.framing === 'tcp' ? frame.readUInt16BE(0) : 0,
          unit: pdu[0] ?? 0,
          fc: pdu[1] ?? 0,
          address: pdu.readUInt16BE(2),
          count: pdu.readUInt16BE(4),
        };
        this.act(sock, req, this.script(req));
      }
    });
  }

  private act(sock: Socket, req: RawRequest, action: Action): void {
    switch (action.kind) {
      case 'silent':
        return;
      case 'close':
        sock.destroy();
        return;
      case 'reset':
        sock.resetAndDestroy();
        return;
      case 'hold':
        this.held = Buffer.concat([this.held ?? Buffer.alloc(0), this.reply(req, action.value ?? GOOD)]);
        return;
      case 'reply': {
        const out = Buffer.concat([this.held ?? Buffer.alloc(0), action.prefix ?? Buffer.alloc(0), this.reply(req, action.value ?? GOOD)]);
        this.held = undefined;
        if (action.delayMs) setTimeout(() => sock.destroyed || sock.write(out), action.delayMs);
        else sock.write(out);
      }
    }
  }

  /** A well-formed reply to `req` where every register (or bit) holds `value`. */
  reply(req: RawRequest, value: number): Buffer {
    let pdu: Buffer;
    if (req.fc === 1 || req.fc === 2) {
      const bytes = Math.ceil(req.count / 8);
      pdu = Buffer.alloc(3 + bytes);
      for (let i = 0; i < req.count; i++) if (value & 1) pdu[3 + (i >> 3)]! |= 1 << (i & 7);
      pdu[2] = bytes;
    } else {
      pdu = Buffer.alloc(3 + req.count * 2);
      pdu[2] = req.count * 2;
      for (let i = 0; i < req.count; i++) pdu.writeUInt16BE(value & 0xffff, 3 + i * 2);
    }
    pdu[0] = req.unit;
    pdu[1] = req.fc;
    if (this.framing === 'rtu') {
      const crc = Buffer.alloc(2);
      crc.writeUInt16LE(crc16(pdu));
      return Buffer.concat([pdu, crc]);
    }
    const mbap = Buffer.alloc(6);
    mbap.writeUInt16BE(req.txn, 0);
    mbap.writeUInt16BE(0, 2);
    mbap.writeUInt16BE(pdu.length, 4);
    return Buffer.concat([mbap, pdu]);
  }
}
