/**
 * `npm run lint` enforces the import directions of shared/ARCHITECTURE.md (eslint.config.js). Run
 * through ESLint's Node API with the project's own config: source text is linted as if it were a
 * file at the given path, so a violation is planted without writing into the tree.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
/**
 * The whole tree, as `npm run lint` lints it and with its cache (by file content and the config's
 * hash, so an edit or a config change re-lints): a tree `npm run lint` (or an earlier run) has
 * just checked is not parsed again. The rules here look at each file alone (import specifiers,
 * sizes), so a cached result is the result.
 */
const treeEslint = new ESLint({ cwd: process.cwd(), cache: true, cacheLocation: 'node_modules/.cache/eslint/', cacheStrategy: 'content' });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('import directions (npm run lint)', () => {
  it('the tree as it is passes', async () => {
    const results = await treeEslint.lintFiles(['gateway', 'rules', 'dashboard', 'simulators']);
    expect(results.length).toBeGreaterThan(100);
    const found = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(found).toEqual([]);
  }, 120_000);

  it('rules/ may not import the gateway outside the model and the platform, at any depth', async () => {
    const planted = await problems('rules/planted/deeper/rule-x.ts', "import { loadConfigFile } from '../../../gateway/config/load-config.ts';\nexport const x = loadConfigFile;\n");
    expect(planted).toHaveLength(1);
    expect(planted[0]).toMatch(/^no-restricted-imports: '\.\.\/\.\.\/\.\.\/gateway\/config\/load-config\.ts' import is restricted.*rules\/ may import only from rules, gateway\/model, gateway\/platform/);
    // a type-only import is an import all the same
    expect(await problems('rules/rule-x.ts', "import type { SiteConfig } from '../gateway/config/site-schema.ts';\nexport type X = SiteConfig;\n")).toHaveLength(1);
    expect(await problems('rules/planted/rule-x.ts', "export { Connector } from '../../gateway/connectors/connector.ts';\n")).toHaveLength(1);
    expect(await problems('rules/planted/rule-x.ts', "import { systemClock } from '../../gateway/model/clock.ts';\nimport { tlsClientSchema } from '../../gateway/platform/tls-client.ts';\nimport { z } from 'zod';\nimport { a } from '../alarms/index.ts';\nexport const x = [systemClock, tlsClientSchema, z, a];\n")).toEqual([]);
  });

  it('rules/ peers reach each other through their entry files only; the front door is not imported from inside', async () => {
    expect(await problems('rules/alarms/planted.ts', "import type { WorkOrder } from '../work-orders/work-order.ts';\nexport type W = WorkOrder;\n")).toEqual([expect.stringMatching(/entry file/)]);
    expect(await problems('rules/alarms/planted.ts', "import type { WorkOrder } from '../work-orders/index.ts';\nexport type W = WorkOrder;\n")).toEqual([]);
    expect(await problems('rules/alarms/engine/planted.ts', "import { UptimeLedger } from '../../uptime/uptime-ledger.ts';\nexport const u = UptimeLedger;\n")).toHaveLength(1);
    expect(await problems('rules/alarms/engine/planted.ts', "import { AlarmManager } from '../alarm-manager.ts';\nexport const a = AlarmManager;\n")).toEqual([]);
    expect(await problems('rules/uptime/planted.ts', "import { startRules } from '../index.ts';\nexport const s = startRules;\n")).toHaveLength(1);
    expect(await problems('rules/planted.ts', "import { ALARM_STATES } from './alarms/alarm-model.ts';\nexport const s = ALARM_STATES;\n")).toHaveLength(1);
    expect(await problems('rules/planted.ts', "import { ALARM_STATES } from './alarms/index.ts';\nimport { alarmSignalOf } from './wiring/alarm-signal-of.ts';\nexport const s = [ALARM_STATES, alarmSignalOf];\n")).toEqual([]);
  });

  it('gateway/ reaches rules/ through rules/index.ts (types also from a peer entry file)', async () => {
    expect(await problems('gateway/gateway.ts', "import { createAlarmService } from '../rules/alarms/alarm-service.ts';\nexport const c = createAlarmService;\n")).toEqual([expect.stringMatching(/front door rules\/index\.ts/)]);
    expect(await problems('gateway/gateway.ts', "import { startRules } from '../rules/index.ts';\nexport const s = startRules;\n")).toEqual([]);
    expect(await problems('gateway/api/routes/planted.ts', "import { WorkOrderError } from '../../../rules/work-orders/index.ts';\nexport const e = WorkOrderError;\n")).toEqual([expect.stringMatching(/only types/)]);
    expect(await problems('gateway/api/routes/planted.ts', "import type { WorkOrder } from '../../../rules/work-orders/index.ts';\nexport type W = WorkOrder;\n")).toEqual([]);
    expect(await problems('gateway/config/planted.ts', "import type { RuleConfig } from '../../rules/alarms/config/rule-schema.ts';\nexport type R = RuleConfig;\n")).toHaveLength(1);
  });

  it('gateway/model imports nothing of ours outside it, not even the platform', async () => {
    expect(await problems('gateway/model/kinds/x.ts', "import { pointsOf } from '../device-kinds.ts';\nexport const p = pointsOf;\n")).toEqual([]);
    expect(await problems('gateway/model/kinds/x.ts', "import { tlsClientSchema } from '../../platform/tls-client.ts';\nexport const t = tlsClientSchema;\n")).toHaveLength(1);
    expect(await problems('gateway/model/x.ts', "import { AlarmManager } from '../../rules/alarms/alarm-manager.ts';\nexport const a = AlarmManager;\n")).toHaveLength(1);
  });

  it('the dashboard imports nothing of the gateway or rules except types from the API contract', async () => {
    const tsx = "import { h } from 'preact';\nimport type { AlarmRecord } from '../../../gateway/api/contract/alarms.ts';\nexport const View = (p: { a: AlarmRecord }) => <div>{p.a.id}</div>;\n";
    expect(await problems('dashboard/src/pages/planted.tsx', tsx)).toEqual([]);
    expect(await problems('dashboard/src/pages/planted.ts', "import { alarmRoutes } from '../../../gateway/api/contract.ts';\nexport const r = alarmRoutes;\n")).toEqual([
      expect.stringMatching(/may import only types from here/),
    ]);
    expect(await problems('dashboard/src/planted.ts', "import type { AlarmRecord } from '../../rules/alarms/alarm-model.ts';\nexport type A = AlarmRecord;\n")).toHaveLength(1);
  });

  it('the dashboard files once allow-listed take alarm types from the contract only', async () => {
    const file = 'dashboard/src/alarms/alarm-list.ts';
    expect(await problems(file, "import type { AlarmRecord } from '../../../rules/alarms/alarm-model.ts';\nexport type A = AlarmRecord;\n")).toHaveLength(1);
    expect(await problems(file, "import type { AlarmRecord } from '../../../gateway/api/contract.ts';\nexport type A = AlarmRecord;\n")).toEqual([]);
    expect(await problems(file, "import { ALARM_STATES } from '../../../rules/alarms/alarm-model.ts';\nexport const s = ALARM_STATES;\n")).toHaveLength(1);
    expect(await problems(file, "import type { WorkOrder } from '../../../rules/work-orders/work-order.ts';\nexport type W = WorkOrder;\n")).toHaveLength(1);
  });

  it('simulators share only the model and the platform helpers with the gateway', async () => {
    expect(await problems('simulators/modbus/planted.ts', "import { systemClock } from '../../gateway/model/clock.ts';\nexport const c = systemClock;\n")).toEqual([]);
    expect(await problems('simulators/modbus/planted.ts', "import { ModbusConnector } from '../../gateway/connectors/modbus/modbus-connector.ts';\nexport const m = ModbusConnector;\n")).toHaveLength(1);
    expect(await problems('simulators/planted.ts', "import { startRules } from '../rules/index.ts';\nexport const s = startRules;\n")).toHaveLength(1);
  });

  it('holds source files to 400 lines and functions to 80 (tests exempt)', async () => {
    const longFile = Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await problems('rules/alarms/planted.ts', longFile)).toEqual([expect.stringMatching(/^max-lines: /)]);
    const body = Array.from({ length: 80 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const longFunction = `export function f(): void {\n${body}\n}\n`;
    expect(await problems('gateway/api/planted.ts', longFunction)).toEqual([expect.stringMatching(/^max-lines-per-function: /)]);
    expect(await problems('dashboard/src/planted.ts', longFunction)).toHaveLength(1);
    expect(await problems('simulators/planted.ts', longFile)).toHaveLength(1);
    expect((await problems('test/planted.test.ts', longFile + longFunction)).filter((m) => m.startsWith('max-lines'))).toEqual([]);
  });
});
