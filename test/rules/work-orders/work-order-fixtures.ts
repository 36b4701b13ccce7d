/** Shared fixtures of the work-order tests: a config, devices, alarm signals and a webhook receiver. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeviceInfo } from '../../../gateway/model/device.ts';
import type { AlarmSignal } from '../../../rules/work-orders/alarm-input.ts';
import { workOrderConfigSchema, type WorkOrderConfig } from '../../../rules/work-orders/work-order-schema.ts';

export const SECRET = 'pump-contractor-secret-0123456789';
export const ACME_TOKEN = 'acme-token-0123456789abcdef';
export const LIFTCO_TOKEN = 'liftco-token-0123456789abcdef';

export const DEVICES: DeviceInfo[] = [
  { id: 'pump-b1-1', name: 'Pump B1-1', kind: 'pump', location: { site: 'demo', building: 'b1', floor: 'B1' }, connector: 'modbus-pumps' },
  { id: 'pump-b2-1', name: 'Pump B2-1', kind: 'pump', location: { site: 'demo', building: 'b2', floor: 'B1' }, connector: 'modbus-pumps' },
  { id: 'elev-b1-1', name: 'Elevator B1-1', kind: 'elevator', location: { site: 'demo', building: 'b1', floor: 'F1' }, connector: 'modbus-elev' },
];

export function woConfig(receiverUrl: string, extra: Record<string, unknown> = {}): WorkOrderConfig {
  return workOrderConfigSchema.parse({
    enabled: true,
    contractors: [
      { id: 'acme-pumps', name: 'ACME Pumps', trades: ['pumps'], kinds: ['pump'], token: ACME_TOKEN, channels: { webhook: { url: `${receiverUrl}/acme`, secret: SECRET } } },
      { id: 'liftco', name: 'LiftCo', trades: ['lift'], kinds: ['elevator'], token: LIFTCO_TOKEN, channels: { webhook: { url: `${receiverUrl}/liftco`, secret: SECRET } } },
    ],
    escalation: { contacts: [{ id: 'duty-manager', name: 'Duty manager', channels: { webhook: { url: `${receiverUrl}/escalation`, secret: SECRET } } }] },
    maintenance: [],
    // the test receiver listens on http://127.0.0.1: allowed explicitly
    dispatch: { maxAttempts: 4, initialBackoff: '1s', maxBackoff: '1m', jitter: 0.2, timeout: '5s', webhooks: { allowHttp: true, allowPrivateTargets: true } },
    ...extra,
  });
}

let seq = 0;

export function pumpTrip(over: Partial<AlarmSignal> = {}): AlarmSignal {
  seq++;
  return {
    type: 'raised',
    alarmId: `alarm-${seq}`,
    ruleId: 'pump-trip',
    device: 'pump-b1-1',
    kind: 'pump',
    location: { site: 'demo', building: 'b1', floor: 'B1' },
    priority: 2,
    message: 'Pump B1-1 tripped',
    at: Date.UTC(2026, 0, 1),
    workOrder: { trade: 'pumps' },
    ...over,
  };
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/** A local webhook receiver: answers `status(path, n)` to the n-th request (0-based) on each path; 0 never answers. */
export async function startReceiver(status: (path: string, n: number) => number = () => 200): Promise<{ url: string; requests: ReceivedRequest[]; close: () => Promise<void> }> {
  const requests: ReceivedRequest[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      const code = status(path, n);
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString(), status: code });
      if (code === 0) return; // never answer (a hung receiver)
      res.writeHead(code, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
