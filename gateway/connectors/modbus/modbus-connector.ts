/**
 * Modbus connector (modbus-serial): one connection per configured connector (TCP host, TCP-to-RTU
 * gateway or serial line), any number of devices (unit ids) behind it, each polled on its own
 * interval with coalesced reads. Configuration problems of one device are logged, raised as gateway
 * trouble and leave that device out; the others run.
 */
import type { LatencySnapshot } from '../../metrics/latency-buckets.ts';
import type { Logger } from 'pino';
import type { Timer } from '../../model/clock.ts';
import type { SampleSink } from '../../model/sample.ts';
import { ConnectorStats, type BoundDevice, type CommandOutcome, type CommandRequest, type ConnectionHealth, type Connector, type ConnectorContext } from '../connector.ts';
import { sendModbusCommand } from './modbus-command.ts';
import { CommsLoss } from '../runtime/comms-loss.ts';
import { RefusedBindings } from '../runtime/refused-bindings.ts';
import { DevicePoller } from './device-poller.ts';
import { ModbusConnection } from './modbus-connection.ts';
import { checkModbusBinding } from './modbus-binding-check.ts';
import type { ModbusBinding, ModbusConnectorConfig } from './modbus-schema.ts';

const CYCLE_WINDOW = 2048;
/** Rates in health are measured over roughly the last RATE_EVERY_MS x RATE_POINTS. */
const RATE_EVERY_MS = 5_000;
const RATE_POINTS = 3;

interface RatePoint {
  readonly at: number;
  readonly requests: number;
  readonly samples: number;
}

export class ModbusConnector implements Connector {
  readonly id: string;
  private readonly config: ModbusConnectorConfig;
  private readonly ctx: ConnectorContext;
  private readonly log: Logger;
  private readonly stats = new ConnectorStats();
  private readonly conn: ModbusConnection;
  private readonly comms: CommsLoss;
  private readonly pollers: DevicePoller[] = [];
  /** Bindings of the devices that run, for their commands. */
  private readonly bindings = new Map<string, ModbusBinding>();
  private readonly rejected: RefusedBindings;
  private readonly cycles: number[] = [];
  private cycleIndex = 0;
  private readonly rates: RatePoint[] = [];
  private rateTimer: Timer | undefined;

  constructor(config: ModbusConnectorConfig, ctx: ConnectorContext) {
    this.id = config.id;
    this.config = config;
    this.ctx = ctx;
    this.log = ctx.log;
    this.conn = new ModbusConnection(config, ctx.clock, ctx.log, this.stats, ctx.random ?? Math.random);
    this.comms = new CommsLoss({ connector: config.id, devices: [], clock: ctx.clock, trouble: ctx.trouble });
    this.rejected = new RefusedBindings(config.id, ctx.trouble, ctx.log);
    for (const device of ctx.devices) {
      const problems = this.bind(device);
      if (problems.length > 0) this.rejected.refuse(device.info, problems);
    }
  }

  /** Build the poller of one device, or return what is wrong with its binding. */
  private bind(device: BoundDevice): string[] {
    const checked = checkModbusBinding(this.config, device.info, device.binding);
    if (!checked.ok) return checked.problems.map((p) => `${p.path}: ${p.message}`);
    const { binding, points } = checked;
    this.comms.watch({ id: device.info.id, kind: device.info.kind, points: points.map((p) => p.name) });
    this.bindings.set(device.info.id, binding);
    this.pollers.push(
      new DevicePoller({
        deviceId: device.info.id,
        unitId: binding.unitId,
        interval: binding.pollInterval,
        points,
        conn: this.conn,
        clock: this.ctx.clock,
        log: this.log,
        stats: this.stats,
        options: this.config,
        onCycle: (ms) => this.recordCycle(ms),
        comms: this.comms,
      }),
    );
    return [];
  }

  async start(out: SampleSink): Promise<void> {
    this.ratePoint();
    this.rateTimer = this.ctx.clock.setInterval(RATE_EVERY_MS, () => this.ratePoint());
    await this.conn.start();
    // Spread first polls over each device's interval so 200 devices do not all ask at once.
    const n = this.pollers.length;
    this.pollers.forEach((p, i) => p.start(out, n <= 1 ? 0 : Math.floor((i / n) * p.interval)));
    this.log.info({ devices: n, requestsPerPoll: this.pollers.reduce((s, p) => s + p.requestsPerPoll(), 0) }, 'modbus polling started');
  }

  async stop(): Promise<void> {
    for (const p of this.pollers) p.stop();
    this.rateTimer?.cancel();
    this.rateTimer = undefined;
    await this.conn.stop();
    this.comms.clearAll();
  }

  requestLatency(): LatencySnapshot {
    return this.stats.latency.snapshot();
  }

  mappedCommands(device: string): readonly string[] {
    return Object.keys(this.bindings.get(device)?.commands ?? {});
  }

  /** A command as the write its binding maps it to, confirmed by read-back (modbus-command.ts). */
  async command(request: CommandRequest): Promise<CommandOutcome> {
    const binding = this.bindings.get(request.device);
    if (!binding) return { result: 'failed', detail: `device ${request.device} is not polled by connector ${this.id}` };
    const w = binding.commands?.[request.command];
    if (!w) return { result: 'failed', detail: `the binding of ${request.device} maps no write for command "${request.command}"` };
    const outcome = await sendModbusCommand(this.conn, this.ctx.clock, binding.unitId, w, request.confirmTimeout);
    this.log.info({ device: request.device, command: request.command, result: outcome.result, detail: outcome.detail }, 'modbus command');
    return outcome;
  }

  health(): ConnectionHealth {
    return this.stats.snapshot(this.id, 'modbus', {
      transport: this.config.transport,
      queueDepth: this.conn.queueDepth(),
      reconnects: this.conn.reconnectCount(),
      pollCycleP99Ms: this.cycleP99(),
      ...this.perSecond(),
      devices: Object.fromEntries(this.pollers.map((p) => [p.deviceId, p.state()])),
      ...(this.rejected.snapshot() ? { rejectedBindings: this.rejected.snapshot() } : {}),
    });
  }

  /** Poll cycle durations (ms) of the last cycles, most recent last; for health and benchmarks. */
  cycleTimes(): number[] {
    return this.cycles.length < CYCLE_WINDOW ? [...this.cycles] : [...this.cycles.slice(this.cycleIndex), ...this.cycles.slice(0, this.cycleIndex)];
  }

  private ratePoint(): void {
    this.rates.push({ at: this.ctx.clock.monotonic(), requests: this.stats.requests, samples: this.stats.samples });
    if (this.rates.length > RATE_POINTS) this.rates.shift();
  }

  /** Requests and samples per second since the oldest rate point (up to ~15 s ago). */
  private perSecond(): { requestsPerSecond: number; samplesPerSecond: number } | Record<string, never> {
    const from = this.rates[0];
    const seconds = from ? (this.ctx.clock.monotonic() - from.at) / 1000 : 0;
    if (!from || seconds < 0.5) return {};
    return {
      requestsPerSecond: Math.round(((this.stats.requests - from.requests) / seconds) * 10) / 10,
      samplesPerSecond: Math.round(((this.stats.samples - from.samples) / seconds) * 10) / 10,
    };
  }

  private recordCycle(ms: number): void {
    if (this.cycles.length < CYCLE_WINDOW) this.cycles.push(ms);
    else {
      this.cycles[this.cycleIndex] = ms;
      this.cycleIndex = (this.cycleIndex + 1) % CYCLE_WINDOW;
    }
  }

  private cycleP99(): number | null {
    if (this.cycles.length === 0) return null;
    const sorted = [...this.cycles].sort((a, b) => a - b);
    return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0) * 10) / 10;
  }
}
