/**
 * One InfluxDB 1.6 server with a database for a test file, a data folder, and the gateway the test
 * starts, torn down in that order after the file (the gateway first, so it stops writing before the
 * server goes).
 */
import { afterAll, beforeAll } from 'vitest';
import type { RunningGateway } from '../../../../gateway/gateway.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { startInfluxd, type InfluxdProcess } from './influxd-process.ts';

export interface InfluxdSuite {
  /** The server (started before the file's tests). */
  readonly influxd: InfluxdProcess;
  /** The data folder for the gateway. */
  readonly dir: string;
  /** Stop this gateway after the file's tests, before the server. Returns it. */
  keep(gw: RunningGateway): RunningGateway;
}

export function influxdSuite(prefix: string, database = 'telemetry'): InfluxdSuite {
  const dir = tempDir(prefix);
  let influxd: InfluxdProcess | undefined;
  let gw: RunningGateway | undefined;
  beforeAll(async () => {
    influxd = await startInfluxd();
    await influxd.query(`CREATE DATABASE ${database}`);
  });
  afterAll(async () => {
    await gw?.stop();
    await influxd?.destroy();
    dir.cleanup();
  });
  return {
    get influxd(): InfluxdProcess {
      if (!influxd) throw new Error('influxd is not started yet (use it inside a test)');
      return influxd;
    },
    dir: dir.path,
    keep: (started) => (gw = started),
  };
}
