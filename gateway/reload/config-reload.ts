/**
 * Reloading the site file while the gateway runs (SIGHUP or POST /api/admin/reload): the new file
 * is loaded and validated exactly as at start; on any error, or when it changes something only a
 * restart can apply, the running config stays and the trouble condition `config-reload` says why.
 * Otherwise connectors (and the connectors of devices whose binding changed) are restarted, and
 * accounts, contractors and routing replaced. Alarms, work orders and sessions live in gateway.db
 * and are not touched. Every reload that applied is audited with its diff, secrets redacted.
 */
import type { Logger } from 'pino';
import type { AuditLog } from '../auth/audit-log.ts';
import type { Accounts } from '../auth/accounts.ts';
import { ConfigError } from '../config/config-error.ts';
import type { SiteConfig } from '../config/site-schema.ts';
import type { ConnectorConfig } from '../connectors/connector-schemas.ts';
import type { Connector } from '../connectors/connector.ts';
import type { DeviceInfo } from '../model/device.ts';
import type { TroubleBoard } from '../trouble/trouble-board.ts';
import { configDiff, isReloadable, type ConfigChange } from './config-diff.ts';

export const RELOAD_TROUBLE = 'config-reload';

export type ReloadResult =
  | { readonly ok: true; readonly changes: readonly ConfigChange[]; readonly restartedConnectors: readonly string[] }
  | { readonly ok: false; readonly reason: 'invalid' | 'needs-restart' | 'failed'; readonly message: string; readonly errors: readonly string[]; readonly changes: readonly ConfigChange[] };

export interface ReloadDeps {
  /** Load and validate the site file as `gateway run` does (with its command-line overrides). */
  readonly load: () => Promise<SiteConfig>;
  /** The running config; reloaded parts are written into it. */
  readonly config: SiteConfig;
  /** The running connectors (replaced in place). */
  readonly connectors: Connector[];
  /** Make and start the connector of `c` for the devices `config` binds to it. */
  readonly startConnector: (c: ConnectorConfig, config: SiteConfig) => Promise<Connector | undefined>;
  readonly devices: readonly DeviceInfo[];
  readonly accounts: Accounts;
  readonly workOrders: { reloadContractors(contractors: SiteConfig['workOrders']['contractors']): void } | undefined;
  /** Replace the rules (open alarms stay; rules start again from the live values); throws, changing nothing, on a bad rule pack. */
  readonly reloadRules: (next: Pick<SiteConfig, 'rules' | 'rulePacks'>) => void;
  readonly trouble: TroubleBoard;
  readonly audit: AuditLog;
  readonly log: Logger;
  /** Hold and release MQTT publishes of the embedded broker while MQTT connectors are swapped. */
  readonly holdIngest?: { hold(): void; release(): void };
}

export interface ReloadActor {
  readonly username: string;
  readonly role?: string | undefined;
  readonly address?: string | undefined;
  readonly via?: string | undefined;
}

export class ConfigReloader {
  private running: Promise<ReloadResult> | undefined;
  private readonly d: ReloadDeps;

  constructor(deps: ReloadDeps) {
    this.d = deps;
  }

  /** One reload at a time: a second request while one runs waits for it and then runs. */
  async reload(by: ReloadActor): Promise<ReloadResult> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.run(by);
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }

  private async run(by: ReloadActor): Promise<ReloadResult> {
    const { log, trouble } = this.d;
    let next: SiteConfig;
    try {
      next = await this.d.load();
    } catch (err) {
      const errors = err instanceof ConfigError ? err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`) : [(err as Error).message];
      const message = `config reload refused, the running config stays: ${errors.length} error(s) in ${err instanceof ConfigError ? err.file : 'the site file'}: ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? '; ...' : ''}`;
      return this.refused(by, 'invalid', message, errors, []);
    }
    const changes = configDiff(this.d.config, next);
    const fixed = changes.filter((c) => !isReloadable(c));
    if (fixed.length > 0) {
      const paths = fixed.map((c) => c.path);
      const message = `config reload refused, the running config stays: ${paths.length} change(s) need a restart: ${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', ...' : ''}`;
      return this.refused(by, 'needs-restart', message, paths.map((p) => `${p}: needs a restart`), changes);
    }
    if (changes.length === 0) {
      trouble.clear(RELOAD_TROUBLE);
      log.info({ by: by.username }, 'config reload: nothing changed');
      return { ok: true, changes, restartedConnectors: [] };
    }
    let restarted: string[];
    try {
      restarted = await this.apply(next, changes);
    } catch (err) {
      return this.refused(by, 'failed', `config reload failed while applying: ${(err as Error).message}`, [(err as Error).message], changes);
    }
    trouble.clear(RELOAD_TROUBLE);
    this.d.audit.record({ username: by.username, role: by.role, address: by.address, via: by.via, action: 'config reload', target: 'site config', detail: { changes, restartedConnectors: restarted } });
    log.warn({ by: by.username, changes: changes.map((c) => c.path), restartedConnectors: restarted }, `config reloaded: ${changes.length} change(s), ${restarted.length} connector(s) restarted`);
    return { ok: true, changes, restartedConnectors: restarted };
  }

  private refused(by: ReloadActor, reason: 'invalid' | 'needs-restart' | 'failed', message: string, errors: readonly string[], changes: readonly ConfigChange[]): ReloadResult {
    this.d.trouble.raise(RELOAD_TROUBLE, 'config', message);
    this.d.audit.record({ username: by.username, role: by.role, address: by.address, via: by.via, action: 'config reload refused', target: 'site config', detail: { reason, errors: errors.slice(0, 50), changes } });
    this.d.log.error({ by: by.username, reason, errors }, message);
    return { ok: false, reason, message, errors, changes };
  }

  /** Apply reloadable changes; returns the ids of the connectors restarted. */
  private async apply(next: SiteConfig, changes: readonly ConfigChange[]): Promise<string[]> {
    const cfg = this.d.config;
    // rules first: a rule pack that cannot load throws here, before anything else changed
    if (changes.some((c) => /^(rules|rulePacks)(\[|\.|$)/.test(c.path))) {
      this.d.reloadRules(next);
      cfg.rules = next.rules;
      cfg.rulePacks = next.rulePacks;
    }
    // connectors to restart: changed, added or removed ones, and the old and new connector of every device whose binding changed
    const touched = new Set<string>();
    for (const c of changes) {
      const conn = /^connectors\[([^\]]+)\]/.exec(c.path);
      if (conn) touched.add(conn[1] as string);
      const dev = /^devices\[([^\]]+)\]\.binding/.exec(c.path);
      if (dev) {
        const id = dev[1] as string;
        const before = cfg.devices.find((d) => d.id === id)?.binding.connector;
        const after = next.devices.find((d) => d.id === id)?.binding.connector;
        if (before) touched.add(before);
        if (after) touched.add(after);
      }
    }
    const restarted: string[] = [];
    if (touched.size > 0) {
      this.d.holdIngest?.hold();
      try {
        // stop first (a connector's devices are read by one connector at a time), then write the new config, then start
        const stopping = this.d.connectors.filter((c) => touched.has(c.id));
        await Promise.all(stopping.map((c) => c.stop().catch((err: unknown) => this.d.log.warn({ err, connector: c.id }, 'connector stop failed during reload'))));
        for (const c of stopping) this.d.connectors.splice(this.d.connectors.indexOf(c), 1);
        this.writeBindings(next);
        for (const c of next.connectors.filter((x) => touched.has(x.id))) {
          const started = await this.d.startConnector(c, cfg);
          if (started) {
            this.d.connectors.push(started);
            restarted.push(c.id);
          }
        }
      } finally {
        this.d.holdIngest?.release();
      }
    } else {
      this.writeBindings(next);
    }
    if (changes.some((c) => c.path.startsWith('accounts.users'))) {
      cfg.accounts.users = next.accounts.users;
      this.d.accounts.replaceUsers(next.accounts.users);
    }
    if (changes.some((c) => c.path.startsWith('workOrders.contractors') || c.path.startsWith('workOrders.routing'))) {
      cfg.workOrders.contractors = next.workOrders.contractors;
      cfg.workOrders.routing = next.workOrders.routing;
      this.d.workOrders?.reloadContractors(next.workOrders.contractors);
    }
    return restarted;
  }

  /** The new connectors and bindings into the running config and the devices' connector. */
  private writeBindings(next: SiteConfig): void {
    const cfg = this.d.config;
    cfg.connectors = next.connectors;
    for (const d of cfg.devices) {
      const n = next.devices.find((x) => x.id === d.id);
      if (!n) continue;
      d.binding = n.binding;
      const info = this.d.devices.find((x) => x.id === d.id);
      // DeviceInfo is shared by the live view, rules and uptime; its connector follows the binding
      if (info && info.connector !== n.binding.connector) (info as { connector: string }).connector = n.binding.connector;
    }
  }
}

/** The reloader of a running gateway, or a refusal when it was not started from a file. */
export function reloadFunction(deps: Omit<ReloadDeps, 'load'> & { readonly load: (() => Promise<SiteConfig>) | undefined }): {
  reload: (by: ReloadActor) => Promise<ReloadResult>;
  available: boolean;
} {
  if (!deps.load) {
    return {
      available: false,
      reload: () => Promise.resolve({ ok: false, reason: 'failed', message: 'this gateway was not started from a site file; nothing to reload', errors: [], changes: [] }),
    };
  }
  const reloader = new ConfigReloader({ ...deps, load: deps.load });
  return { available: true, reload: (by) => reloader.reload(by) };
}
