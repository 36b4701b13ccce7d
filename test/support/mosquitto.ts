/** Start an external `mosquitto` on a free 127.0.0.1 port with a generated config; stop it after. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, killGroup, spawnTracked } from './child-processes.ts';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface MosquittoTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Clients must present a certificate signed by `caFile`. */
  readonly requireCertificate?: boolean;
}

/**
 * `tls`: the listener speaks MQTT over TLS only (the URL is then `mqtts://`). `maxQueuedMessages`:
 * per client (default 10,000), for a backlog held in a persistent session. `maxInflightMessages`:
 * QoS 1 messages out to a client before the broker waits for its PUBACKs (Mosquitto's default 20;
 * 0: no limit, the broker sends a whole backlog at once).
 */
export async function startMosquitto(options: { tls?: MosquittoTls; maxQueuedMessages?: number; maxInflightMessages?: number } = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  const tls = options.tls
    ? [`cafile ${options.tls.caFile}`, `certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`, `require_certificate ${options.tls.requireCertificate ? 'true' : 'false'}`]
    : [];
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, ...tls, 'allow_anonymous true', 'persistence false', `max_queued_messages ${options.maxQueuedMessages ?? 10_000}`, ...(options.maxInflightMessages === undefined ? [] : [`max_inflight_messages ${options.maxInflightMessages}`]), 'log_dest stderr', 'log_type error', ''].join('\n'));
  // own process group, killed by the leak guard after the test even if stop() is never reached
  const child = spawnTracked('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
      return accepts(port);
    }, 15_000, `mosquitto on port ${port}`, 50);
  } catch (e) {
    killGroup(child);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mosquitto did not start on port ${port}: ${stderr} (${(e as Error).message})`);
  }
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    stop: async () => {
      const done = exited(child);
      killGroup(child, 'SIGTERM');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
