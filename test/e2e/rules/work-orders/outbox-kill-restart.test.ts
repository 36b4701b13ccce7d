/**
 * End to end through a real process: a pump trip gives one work order and exactly one accepted,
 * validly signed webhook delivery, although the receiver fails the first three attempts and the
 * process is killed with SIGKILL and restarted between attempts.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../../../rules/dispatch/signature.ts';
import { exited, killGroup, spawnTracked } from '../../../support/child-processes.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { pumpTrip, SECRET, startReceiver, type ReceivedRequest } from '../../../rules/work-orders/work-order-fixtures.ts';

const SCRIPT = join(import.meta.dirname, 'fixtures', 'work-order-process.ts');

interface Proc {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: string[];
}

function startProcess(configFile: string, dataDir: string): Promise<Proc> {
  const child = spawnTracked(process.execPath, [SCRIPT, configFile, dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
  const proc: Proc = { child, lines: [], stderr: [] };
  let buf = '';
  child.stderr?.on('data', (c: Buffer) => proc.stderr.push(c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`work-order process did not start: ${proc.stderr.join('')}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        proc.lines.push(line);
        if (line.ready) {
          clearTimeout(timer);
          resolve(proc);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`work-order process exited with ${code}: ${proc.stderr.join('')}`)));
  });
}

async function kill9(proc: Proc): Promise<void> {
  const done = exited(proc.child);
  killGroup(proc.child);
  await done;
}

describe('dispatch outbox across kill -9', () => {
  const children: ChildProcess[] = [];
  const dir = tempDir('wo-kill-');
  afterEach(() => {
    for (const c of children) killGroup(c);
    dir.cleanup();
  });

  it('delivers exactly once, validly signed, through three failures and two SIGKILLs', async () => {
    // The receiver refuses the first three attempts, then accepts; it dedups on X-Idempotency-Key.
    const accepted = new Set<string>();
    const receiver = await startReceiver((path, n) => (path === '/acme' && n < 3 ? 503 : 200));
    try {
      const configFile = join(dir.path, 'work-orders.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          enabled: true,
          contractors: [{ id: 'acme-pumps', name: 'ACME Pumps', trades: ['pumps'], channels: { webhook: { url: `${receiver.url}/acme`, secret: SECRET } } }],
          maintenance: [],
          dispatch: { maxAttempts: 10, initialBackoff: '400ms', maxBackoff: '1s', jitter: 0.2, timeout: '3s', webhooks: { allowHttp: true, allowPrivateTargets: true } },
        }),
      );
      const dataDir = join(dir.path, 'data');
      const acme = (): ReceivedRequest[] => receiver.requests.filter((r) => r.path === '/acme');

      let proc = await startProcess(configFile, dataDir);
      children.push(proc.child);
      const signal = pumpTrip({ at: Date.now() });
      proc.child.stdin?.write(`${JSON.stringify(signal)}\n`);
      await waitFor(() => proc.lines.some((l) => (l.outcome as { action?: string } | undefined)?.action === 'created'), 30_000, 'the order to be created');
      await waitFor(() => acme().length >= 1, 30_000, 'the first (refused) attempt');
      await kill9(proc);

      proc = await startProcess(configFile, dataDir);
      children.push(proc.child);
      // The alarm engine may re-deliver its event after a restart: it must not make a second order.
      proc.child.stdin?.write(`${JSON.stringify(signal)}\n`);
      await waitFor(() => proc.lines.some((l) => l.outcome !== undefined), 30_000, 'the re-delivered signal');
      expect(proc.lines.find((l) => l.outcome)?.outcome).toMatchObject({ action: 'duplicate' });
      await waitFor(() => acme().length >= 2, 30_000, 'the second (refused) attempt');
      await kill9(proc);

      proc = await startProcess(configFile, dataDir);
      children.push(proc.child);
      await waitFor(() => acme().some((r) => r.status === 200), 30_000, 'an accepted attempt');
      // Wait until the outbox durably recorded the delivery (nothing is left to retry), then stop.
      await waitFor(() => {
        const db = new DatabaseSync(join(dataDir, 'gateway.db'), { readOnly: true });
        try {
          return (db.prepare("SELECT count(*) AS n FROM dispatch_outbox WHERE status = 'delivered'").get() as { n: number }).n === 1;
        } finally {
          db.close();
        }
      }, 30_000, 'the outbox to record the delivery');
      await kill9(proc);

      const requests = acme();
      expect(requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
      const keys = new Set(requests.map((r) => String(r.headers['x-idempotency-key'])));
      expect(keys.size).toBe(1);
      for (const r of requests) {
        expect(verifyWebhook(SECRET, String(r.headers['x-timestamp']), r.body, String(r.headers['x-signature']))).toBe(true);
        if (r.status === 200) accepted.add(String(r.headers['x-idempotency-key']));
      }
      expect(accepted.size).toBe(1);
      const body = JSON.parse(requests[3]!.body) as { workOrder: { device: string; priority: number } };
      expect(body.workOrder).toMatchObject({ device: 'pump-b1-1', priority: 2 });

      const db = new DatabaseSync(join(dataDir, 'gateway.db'));
      const orders = db.prepare('SELECT id, status FROM work_orders').all() as Array<{ id: number; status: string }>;
      expect(orders).toEqual([{ id: 1, status: 'dispatched' }]);
      const attempts = db.prepare('SELECT attempt, ok FROM dispatch_deliveries ORDER BY seq').all() as Array<{ attempt: number; ok: number }>;
      // An attempt killed before its outcome was written leaves no outcome row, but it was counted before it was made.
      expect(attempts.at(-1)).toEqual({ attempt: 4, ok: 1 });
      expect(attempts.filter((a) => a.ok === 1)).toHaveLength(1);
      const outbox = db.prepare('SELECT status, attempts FROM dispatch_outbox').all();
      expect(outbox).toEqual([{ status: 'delivered', attempts: 4 }]);
      db.close();
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
