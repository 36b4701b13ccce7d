/**
 * `gateway rules ...`: rule packs as templates (#22.5).
 *   check FILE...                     validate pack files; every problem printed (path: message), exit 1
 *   import FILE [--packs-dir DIR] [--force]
 *                                     validate, then copy into the packs folder as <pack>.yaml
 *   export --config FILE [--pack NAME] [--name PACK] [--out FILE]
 *                                     the site's effective rules (packs with the site's overrides) as one pack
 *   record --data-dir DIR --from T --to T [--device ID]... --out FILE
 *                                     samples of telemetry.db in [from, to) as JSON lines (the replay record)
 *   replay --pack FILE --record FILE [--config FILE] [--json]
 *                                     dry run: what the pack would have raised over the record
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_PACK_DIR, rulePackYaml, validateRulePackText } from '../../rules/index.ts';
import { silentLogger } from '../log/logger.ts';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}
const stdio: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export const RULES_USAGE = `usage:
  gateway rules check FILE...                          validate rule pack files (every error: path and message)
  gateway rules import FILE [--packs-dir DIR] [--force]
                                                       validate and copy into config/rule-packs/<pack>.yaml
  gateway rules export --config FILE [--pack NAME] [--name PACK] [--out FILE]
                                                       the site's effective rules (one pack of them) as a pack file
  gateway rules record --data-dir DIR --from TIME --to TIME [--device ID]... --out FILE
                                                       samples of DIR/telemetry.db in [from, to) as JSON lines
  gateway rules replay --pack FILE --record FILE [--config FILE] [--json]
                                                       dry run: the alarms the pack would have raised over the record
                                                       (devices and alarm settings from --config, default config/demo-site.yaml)
record format: one sample per line, oldest first:
  {"device":"pump-b1-1","point":"tripped","value":true,"ts":1767571200000,"quality":"good"}
`;

const time = (text: string | undefined, name: string): number => {
  const ms = text === undefined ? NaN : /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name}: expected an ISO time (2026-03-02T00:00:00+08:00) or epoch milliseconds, got "${text ?? ''}"`);
  return ms;
};

class UsageError extends Error {}

export async function rulesCommand(args: readonly string[], io: Output = stdio): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'check') return check(rest, io);
    if (sub === 'import') return importPack(rest, io);
    if (sub === 'export') return await exportPack(rest, io);
    if (sub === 'record') return await record(rest, io);
    if (sub === 'replay') return await replay(rest, io);
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.out(RULES_USAGE);
      return 0;
    }
    io.err(`unknown rules command "${sub}"\n${RULES_USAGE}`);
    return 2;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\n${RULES_USAGE}`);
      return 2;
    }
    io.err(`${(err as Error).message}\n`);
    return 1;
  }
}

function readPack(file: string, io: Output): { text: string; ok: boolean; pack?: string; rules?: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    io.err(`${file}: cannot read: ${(err as Error).message}\n`);
    return { text: '', ok: false };
  }
  const v = validateRulePackText(text);
  for (const i of v.issues) io.err(`${file}: ${i.path}: ${i.message}\n`);
  if (v.issues.length > 0) io.err(`${file}: ${v.issues.length} problem${v.issues.length === 1 ? '' : 's'}\n`);
  return v.pack ? { text, ok: true, pack: v.pack.pack, rules: v.pack.rules.length } : { text, ok: false };
}

function check(args: readonly string[], io: Output): number {
  const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new UsageError('name at least one pack file');
  let ok = true;
  for (const file of positionals) {
    const r = readPack(file, io);
    if (r.ok) io.out(`${file}: pack "${r.pack}", ${r.rules} rules: ok\n`);
    ok &&= r.ok;
  }
  return ok ? 0 : 1;
}

function importPack(args: readonly string[], io: Output): number {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { 'packs-dir': { type: 'string', default: DEFAULT_PACK_DIR }, force: { type: 'boolean', default: false } } });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new UsageError('name one pack file');
  const r = readPack(file, io);
  if (!r.ok) return 1;
  const target = join(values['packs-dir'], `${r.pack}.yaml`);
  if (existsSync(target) && !values.force) {
    io.err(`${target} exists: a pack "${r.pack}" is already installed (--force replaces it)\n`);
    return 1;
  }
  writeFileSync(target, r.text);
  io.out(`imported pack "${r.pack}" (${r.rules} rules) to ${target}; enable it with rulePacks: [..., ${r.pack}]\n`);
  return 0;
}

type RawRule = Record<string, unknown> & { id?: unknown; enabled?: unknown };

async function exportPack(args: readonly string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { config: { type: 'string' }, pack: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' }, 'packs-dir': { type: 'string', default: DEFAULT_PACK_DIR } },
  });
  if (values.config === undefined) throw new UsageError('--config: name the site file whose rules to export');
  const { loadConfigFile } = await import('../config/load-config.ts');
  const config = await loadConfigFile(values.config); // refuses an invalid site file, naming every problem
  const site = parseYaml(readFileSync(values.config, 'utf8')) as { rules?: RawRule[] };
  const byId = new Map<string, RawRule>();
  const origin = new Map<string, string>();
  const names = values.pack !== undefined ? [values.pack] : config.rulePacks;
  if (values.pack !== undefined && !config.rulePacks.includes(values.pack)) throw new UsageError(`--pack: "${values.pack}" is not one of the site's packs (${config.rulePacks.join(', ')})`);
  for (const name of names) {
    const doc = parseYaml(readFileSync(join(values['packs-dir'], `${name}.yaml`), 'utf8')) as { rules: RawRule[] };
    for (const r of doc.rules) (byId.set(String(r.id), r), origin.set(String(r.id), name));
  }
  for (const r of site.rules ?? []) {
    // a site rule replaces the pack rule of the same id; with --pack, only rules of that pack (or new ones when exporting all)
    if (values.pack === undefined || byId.has(String(r.id))) byId.set(String(r.id), r);
  }
  const rules = [...byId.values()].filter((r) => r.enabled !== false);
  const name = values.name ?? values.pack ?? `${config.site.id}-rules`;
  const text = rulePackYaml(name, `Rules of site ${config.site.id}${values.pack ? ` from pack ${values.pack}` : ''}, with the site's overrides`, rules);
  const check = validateRulePackText(text);
  for (const i of check.issues) io.err(`export: ${i.path}: ${i.message}\n`);
  if (check.issues.length > 0) return 1;
  if (values.out !== undefined) {
    writeFileSync(values.out, text);
    io.out(`exported ${rules.length} rules as pack "${name}" to ${values.out}\n`);
  } else io.out(text);
  return 0;
}

async function record(args: readonly string[], io: Output): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { 'data-dir': { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, device: { type: 'string', multiple: true }, out: { type: 'string' } } });
  if (values['data-dir'] === undefined) throw new UsageError('--data-dir: name the gateway data directory (with telemetry.db)');
  if (values.out === undefined) throw new UsageError('--out: name the record file to write');
  const from = time(values.from, 'from');
  const to = time(values.to, 'to');
  if (from >= to) throw new UsageError('--from must be before --to');
  const db = join(resolve(values['data-dir']), 'telemetry.db');
  if (!existsSync(db)) throw new UsageError(`--data-dir: no telemetry.db in ${values['data-dir']}`);
  const { recordTelemetry } = await import('./telemetry-record.ts');
  const n = recordTelemetry({ db, from, to, out: values.out, ...(values.device ? { devices: values.device } : {}) });
  io.out(`recorded ${n} samples from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} into ${values.out}\n`);
  return 0;
}

async function replay(args: readonly string[], io: Output): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { pack: { type: 'string' }, record: { type: 'string' }, config: { type: 'string', default: 'config/demo-site.yaml' }, json: { type: 'boolean', default: false } } });
  if (values.pack === undefined) throw new UsageError('--pack: name the rule pack file to try');
  if (values.record === undefined) throw new UsageError('--record: name the JSON-lines record (gateway rules record)');
  const r = readPack(values.pack, io);
  if (!r.ok) return 1;
  const pack = validateRulePackText(r.text).pack;
  if (!pack) return 1;
  if (!existsSync(values.record)) throw new UsageError(`--record: no file ${values.record}`);
  const { loadConfigFile } = await import('../config/load-config.ts');
  const { deviceInfos } = await import('../gateway.ts');
  const { replayPack } = await import('./rule-replay.ts');
  const config = await loadConfigFile(values.config);
  const log = silentLogger(); // the dry run's output is the report below (stdout stays clean for --json)
  const result = await replayPack({ rules: pack.rules, devices: deviceInfos(config), settings: config.alarms, record: values.record, log });
  for (const s of result.skipped) io.err(`${s}\n`);
  if (values.json) {
    io.out(`${JSON.stringify({ pack: pack.pack, ...result }, null, 2)}\n`);
    return 0;
  }
  const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: config.site.timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const at = (ms: number | null): string => (ms === null ? '-' : fmt.format(ms));
  io.out(`dry run of pack "${pack.pack}" (${pack.rules.length} rules) over ${values.record}: ${result.samples} samples, ${at(result.from)} to ${at(result.to)} (${config.site.timezone})\n`);
  for (const a of result.alarms) io.out(`${at(a.at)}  P${a.priority}  ${a.type.padEnd(10)}  ${a.rule}  ${a.device}  ${a.title}\n`);
  const perRule = new Map<string, number>();
  for (const a of result.alarms) perRule.set(a.rule.split('/')[0] as string, (perRule.get(a.rule.split('/')[0] as string) ?? 0) + 1);
  io.out(`${result.alarms.length} alarms (${[...perRule].map(([k, n]) => `${k}: ${n}`).join(', ') || 'none'}); ${result.cleared} cleared, ${result.open} open at the end; nothing was sent or stored\n`);
  return 0;
}
