/**
 * Sparkplug B conformance of what the edge node puts on the wire, checked with the
 * `sparkplug-payload` package's own decoder (the capture does not use the gateway's codec) against
 * the rules of the specification that Eclipse Tahu's host applications enforce:
 *
 * - NBIRTH has seq 0 and the metrics `bdSeq` (Int64) and `Node Control/Rebirth` (Boolean);
 * - every later message of the session (DBIRTH, NDATA, DDATA) has seq = previous + 1, 255 → 0;
 * - a DBIRTH precedes the DDATA of its device, and a DDATA names only metrics of that DBIRTH;
 * - every metric has a datatype and a timestamp;
 * - the NDEATH the broker publishes as the will has no seq and the bdSeq of the session's NBIRTH.
 *
 * The node connects through a TCP proxy; closing the proxy drops the connection the way a network
 * failure does, so the broker publishes the will.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../../gateway/broker/embedded-broker.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { startFreezableProxy, type FreezableProxy } from '../../../support/freezable-proxy.ts';
import { startTestBroker } from '../../../support/mqtt-fixture.ts';
import { smallSite } from '../../../support/site-config.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { SparkplugCapture, type SeenMessage } from '../../../support/sparkplug-capture.ts';

describe('Sparkplug B conformance of the edge node (decoded with sparkplug-payload)', () => {
  const dir = tempDir('e2e-sparkplug-conf-');
  let broker: RunningBroker | undefined;
  let proxy: FreezableProxy | undefined;
  let gateway: RunningGateway | undefined;
  let capture: SparkplugCapture | undefined;

  afterEach(async () => {
    await capture?.close();
    await gateway?.stop();
    await proxy?.close();
    await broker?.close();
    dir.cleanup();
  });

  it('numbers 300+ messages 0–255 with the wrap, and the will NDEATH carries the NBIRTH bdSeq', async () => {
    broker = await startTestBroker();
    proxy = await startFreezableProxy(Number(new URL(broker.url).port));
    capture = await SparkplugCapture.start(broker.url);
    const gw = await startGateway(
      smallSite(dir.path, { rulePacks: ['smoke_detector'], northbound: { sparkplug: { url: `mqtt://127.0.0.1:${proxy.port}`, groupId: 'conf', replayRate: 5000 } } }),
      silentLogger(),
      { listen: false },
    );
    gateway = gw;
    await waitFor(() => gw.sparkplug?.status().born === true, 20_000, 'the edge node born');
    const total = 300;
    for (let n = 1; n <= total; n++) {
      gw.bus.push([{ device: n % 2 ? 'smoke-1' : 'smoke-2', point: 'heartbeat', value: n, ts: Date.now(), quality: 'good' }]);
      await gw.bus.drain();
    }
    gw.bus.push([{ device: 'smoke-1', point: 'alarm', value: true, ts: Date.now(), quality: 'good' }]);
    await waitFor(() => capture?.transitions().some((t) => t.type === 'raised'), 30_000, 'the alarm transition');
    const heartbeats = (): number => (capture?.of('DDATA') ?? []).flatMap((m) => m.metrics.filter((x) => x.name === 'heartbeat' && !x.isNull)).length;
    await waitFor(() => heartbeats() >= total, 30_000, `${total} heartbeats`);
    const session = capture.messages.slice();
    expect(session.length).toBeGreaterThan(300);

    // the connection fails: the broker publishes the will
    await proxy.close();
    proxy = undefined;
    const death = await waitFor(() => capture?.of('NDEATH')[0], 30_000, 'the will');

    const nbirth = session[0] as SeenMessage;
    expect(nbirth.type).toBe('NBIRTH');
    expect(nbirth.seq).toBe(0);
    const bdSeq = nbirth.metrics.find((m) => m.name === 'bdSeq');
    expect(bdSeq?.type).toBe('Int64');
    expect(nbirth.metrics.find((m) => m.name === 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });

    // seq: +1 each message, wrapping 255 → 0
    const seqs = session.map((m) => m.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i], `message ${i} (${session[i]?.type})`).toBe(((seqs[i - 1] as number) + 1) % 256);
    expect(seqs.filter((s) => s === 0).length).toBeGreaterThanOrEqual(2); // NBIRTH's 0 and the wrap
    expect(seqs.every((s) => s !== undefined && s >= 0 && s <= 255)).toBe(true);

    // births before data; data names only born metrics; each metric typed and timestamped
    const born = new Map<string, Set<string>>();
    for (const m of session) {
      if (m.type === 'DBIRTH') born.set(m.device as string, new Set(m.metrics.map((x) => x.name)));
      if (m.type === 'DDATA') {
        const names = born.get(m.device as string);
        expect(names, `DBIRTH before DDATA of ${m.device}`).toBeDefined();
        for (const x of m.metrics) expect(names?.has(x.name), `${x.name} in the DBIRTH of ${m.device}`).toBe(true);
      }
      if (m.type === 'NDATA') for (const x of m.metrics) expect(nbirth.metrics.map((b) => b.name)).toContain(x.name);
      for (const x of m.metrics) {
        expect(x.type).not.toBe('');
        expect(x.timestamp).toBeGreaterThan(0);
      }
    }

    expect(death.seq).toBeUndefined();
    expect(death.metrics.find((m) => m.name === 'bdSeq')?.value).toBe(bdSeq?.value);
  }, 120_000);
});
