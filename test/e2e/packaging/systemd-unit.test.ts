import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-dir.ts';

const UNIT = 'packaging/facility-gateway.service';
const text = readFileSync(UNIT, 'utf8');
const dir = tempDir('fgw-unit-');
afterAll(() => dir.cleanup());

/** `systemd-analyze verify` of the unit (the node path pointed at this Node 24, which the CI box has). */
function verify(unitText: string, name = 'facility-gateway.service', also: Record<string, string> = {}): { status: number | null; stderr: string } {
  const file = join(dir.path, name);
  writeFileSync(file, unitText.replaceAll('/usr/bin/node', process.execPath));
  for (const [n, t] of Object.entries(also)) writeFileSync(join(dir.path, n), t.replaceAll('/usr/bin/node', process.execPath));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', file, ...Object.keys(also).map((n) => join(dir.path, n))], { encoding: 'utf8' });
  if (r.error) throw new Error(`systemd-analyze is needed (apt-get install systemd): ${r.error.message}`);
  return { status: r.status, stderr: r.stderr };
}

/** [Section] → key → values (a key may repeat). */
function directives(unitText: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of unitText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1] as string;
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe('systemd unit', () => {
  it('passes systemd-analyze verify with no warning', () => {
    const r = verify(text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('verify catches what the test is for: a bad value and a missing program', () => {
    expect(verify(text.replace(/^Restart=always$/m, 'Restart=sometimes'), 'bad-restart.service').stderr).toMatch(/restart specifier/);
    expect(verify(text.replace(/^ExecStart=\/usr\/bin\/node/m, 'ExecStart=/nonexistent/node'), 'bad-exec.service').status).not.toBe(0);
  });

  it('restarts always, is fed by the gateway watchdog, runs as its own user and writes only its data dir', () => {
    const d = directives(text);
    const one = (k: string): string | undefined => d.get(k)?.at(-1);
    expect(one('Service.Type')).toBe('notify');
    expect(one('Service.NotifyAccess')).toBe('all'); // systemd-notify is a child of the gateway
    expect(one('Service.Restart')).toBe('always');
    expect(one('Service.WatchdogSec')).toMatch(/^\d+s$/);
    expect(one('Service.User')).toBe('facility-gateway');
    expect(one('Service.NoNewPrivileges')).toBe('yes');
    expect(one('Service.ProtectSystem')).toBe('strict');
    const dataDir = /--data-dir (\S+)/.exec(one('Service.ExecStart') ?? '')?.[1];
    expect(dataDir).toBe('/var/lib/facility-gateway');
    expect(d.get('Service.ReadWritePaths')).toEqual([dataDir]);
    expect(one('Service.CapabilityBoundingSet')).toBe('');
  });

  it('the nightly backup timer and its service pass verify; the service keeps 30 archives and writes only the data and backup dirs', () => {
    const service = readFileSync('packaging/facility-gateway-backup.service', 'utf8');
    const timer = readFileSync('packaging/facility-gateway-backup.timer', 'utf8');
    const r = verify(timer, 'facility-gateway-backup.timer', { 'facility-gateway-backup.service': service });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const d = directives(service);
    expect(d.get('Service.ExecStart')?.[0]).toMatch(/ backup .*--to-dir \/var\/backups\/facility-gateway --keep 30$/);
    expect(d.get('Service.ReadWritePaths')).toEqual(['/var/lib/facility-gateway /var/backups/facility-gateway']);
    expect(d.get('Service.ProtectSystem')).toEqual(['strict']);
    expect(directives(timer).get('Timer.Persistent')).toEqual(['true']);
  });
});
