// kill -9 of a real process writing alarms (the in-process restarts are unit tests in
// test/rules/alarm-restart.test.ts)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmStore } from '../../../rules/alarms/alarm-store.ts';
import { tempDir } from '../../rules/harness.ts';
import { killGroup, spawnTracked } from '../../support/child-processes.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

describe('kill -9 of a process writing alarms', () => {
  it('every announced transition is in the journal; restart has the same open alarms, none duplicated', async () => {
    const tmp = tempDir();
    cleanup.push(tmp.remove);
    const db = join(tmp.dir, 'gateway.db');
    const script = fileURLToPath(new URL('./fixtures/alarm-writer.ts', import.meta.url));
    const run = (): Promise<{ lines: string[] }> =>
      new Promise((resolve, reject) => {
        const child = spawnTracked(process.execPath, [script, db, '40']);
        const lines: string[] = [];
        let buf = '';
        let err = '';
        let killed = false;
        child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
        child.stdout?.on('data', (c: Buffer) => {
          buf += c.toString();
          const parts = buf.split('\n');
          buf = parts.pop() ?? '';
          lines.push(...parts);
          if (!killed && lines.filter((l) => l.startsWith('E ')).length >= 300) {
            killed = true;
            killGroup(child);
          }
        });
        // a bound for a machine under load; the writer is killed long before it in practice
        const timer = setTimeout(() => killGroup(child), 60_000);
        child.on('exit', (code, signal) => {
          clearTimeout(timer);
          if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code} ${signal}: ${err}`));
          else resolve({ lines });
        });
      });

    const first = await run();
    const announced = first.lines.filter((l) => l.startsWith('E ')).map((l) => l.split(' ') as [string, string, string, string]);
    expect(announced.length).toBeGreaterThanOrEqual(300);

    const store = new AlarmStore(db);
    const openAfterKill = store.openAlarms();
    const keys = openAfterKill.map((a) => `${a.rule}/${a.device}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Announced ⇒ persisted: each printed event has its journal row (in order, per alarm).
    const byAlarm = new Map<string, string[]>();
    for (const [, id, type] of announced) byAlarm.set(id, [...(byAlarm.get(id) ?? []), type]);
    for (const [id, types] of byAlarm) {
      const journal = store.journalOf(id).map((j) => j.type);
      expect(journal.slice(0, types.length)).toEqual(types);
    }
    store.close();

    // A restart reports the same open alarms and carries on without duplicating them.
    const second = await run();
    expect(second.lines[0]).toBe(`OPEN ${openAfterKill.length}`);
    const again = new AlarmStore(db);
    const keys2 = again.openAlarms().map((a) => `${a.rule}/${a.device}`);
    expect(new Set(keys2).size).toBe(keys2.length);
    again.close();
  }, 40_000);
});
