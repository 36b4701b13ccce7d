import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../gateway/supervision/node-flags.ts';

const text = (file: string): string => readFileSync(file, 'utf8');
const flags = GATEWAY_NODE_FLAGS.join(' ');
const escaped = flags.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the V8 flags of the gateway are the same however it is started', () => {
  it('the cli shebang, the npm scripts, the Dockerfile and the systemd unit pass GATEWAY_NODE_FLAGS', () => {
    expect(text('gateway/cli.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    const scripts = (JSON.parse(text('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.gateway).toBe(`NODE_COMPILE_CACHE=node_modules/.cache/gateway-compile node ${flags} gateway/cli.ts`);
    expect(scripts.start).toMatch(new RegExp(`^NODE_COMPILE_CACHE=node_modules/\\.cache/gateway-compile node ${escaped} gateway/cli\\.ts run `));
    expect(text('Dockerfile')).toMatch(new RegExp(`^ENTRYPOINT \\[${GATEWAY_NODE_FLAGS.map((f) => `"${f}"`).reduce((a, f) => `${a}, ${f}`, '"node"')}, "gateway/cli\\.ts"\\]$`, 'm'));
    const unit = text('packaging/facility-gateway.service');
    expect(unit).toMatch(new RegExp(`^ExecStart=/usr/bin/node ${escaped} /opt/facility-gateway/gateway/cli\\.ts run `, 'm'));
    // the compile cache in the unit's own writable cache directory
    expect(unit).toMatch(/^CacheDirectory=facility-gateway$/m);
    expect(unit).toMatch(/^Environment=NODE_COMPILE_CACHE=\/var\/cache\/facility-gateway$/m);
  });

  it('keeps the old generation from growing to several times what a full collection left alive (memory under load)', () => {
    expect(GATEWAY_NODE_FLAGS).toContain('--heap-growing-percent=50');
  });

  it('passes no V8 flag through NODE_OPTIONS (Node refuses --heap-growing-percent there and would not start)', () => {
    expect(text('Dockerfile')).not.toMatch(/^ENV NODE_OPTIONS/m);
    expect(text('packaging/facility-gateway.service')).not.toMatch(/^Environment=NODE_OPTIONS/m);
  });
});
