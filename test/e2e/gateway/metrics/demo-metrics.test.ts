/**
 * /metrics of the plain demo (no InfluxDB): the whole demo site with its simulators on free ports,
 * the gateway in process (its real Modbus, OPC UA and MQTT connectors), work orders and uptime on.
 * The scrape carries each connector's series (up, requests, errors, request latency), the bus
 * queues, event-loop lag, alarms (a demo fault raises one), work orders and the outbox, uptime and
 * the local storage; and every alert rule of config/prometheus/gateway-alerts.yml names a series
 * the gateway exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../../gateway/config/load-config.ts';
import { startGateway, type RunningGateway } from '../../../../gateway/gateway.ts';
import { silentLogger } from '../../../../gateway/log/logger.ts';
import { RealClock } from '../../../../gateway/model/clock.ts';
import { TelemetryMetrics } from '../../../../gateway/storage/telemetry-metrics.ts';
import { startSimulators, type RunningSimulators } from '../../../../simulators/sim-runner.ts';
import { readSiteFile } from '../../../../simulators/site-file.ts';
import { tempDir } from '../../../support/temp-dir.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { DEMO_SITE_FILE, writeE2eSite } from '../../e2e-site.ts';
import { alertExpressions, metricNamesIn, metricNamesOf } from '../../../support/prometheus-rules.ts';

/** Series names (with labels) of a Prometheus text page, e.g. `gateway_connector_up{connector="plc-b1",type="modbus"} 1`. */
function lines(page: string): string[] {
  return page.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}
function value(page: string, series: string): number | undefined {
  const line = lines(page).find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics of the plain demo (no InfluxDB)', () => {
  const dir = tempDir('e2e-metrics-');
  let gateway: RunningGateway | undefined;
  let sims: RunningSimulators | undefined;

  beforeAll(async () => {
    const demo = parse(readFileSync(DEMO_SITE_FILE, 'utf8')) as { workOrders: unknown };
    const site = await writeE2eSite(dir.path, { overrides: { workOrders: demo.workOrders } });
    gateway = await startGateway(await loadConfigFile(site.file), silentLogger(), { listen: false });
    sims = await startSimulators(readSiteFile(site.file), {
      clock: new RealClock(),
      seed: 42,
      mqttUrl: gateway.broker?.url as string,
      publishIntervalMs: 250,
      opcuaPkiDir: join(dir.path, 'sim-pki'),
    });
    await waitFor(() => gateway?.connectors.every((c) => c.health().connected && c.health().samples > 0) ?? false, 40_000, 'every demo connector connected with samples');
  }, 60_000);

  afterAll(async () => {
    await sims?.stop();
    await gateway?.stop();
    dir.cleanup();
  });

  const scrape = async (): Promise<string> => {
    const res = await (gateway as RunningGateway).app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.body;
  };

  it('carries connector, queue, event-loop, alarm, work-order, uptime and storage series', async () => {
    const gw = gateway as RunningGateway;
    // a pump trip: a P2 alarm and, through routing, a work order for pump-co
    sims?.fleet.begin('pump-b1-1', 'trip', Date.now());
    await waitFor(() => gw.alarms.active().some((a) => a.device === 'pump-b1-1'), 30_000, 'the pump alarm');
    await waitFor(() => (gw.workOrders?.list({ status: ['open', 'dispatched'] }).length ?? 0) > 0, 30_000, 'the work order');
    await waitFor(async () => (value(await scrape(), 'gateway_telemetry_commits_total') ?? 0) > 0, 30_000, 'a telemetry commit');

    const page = await scrape();
    for (const c of gw.connectors) {
      const h = c.health();
      expect(value(page, `gateway_connector_up{connector="${h.id}",type="${h.type}"}`), h.id).toBe(1);
      expect(value(page, `gateway_connector_requests_total{connector="${h.id}",type="${h.type}"}`), h.id).toBeGreaterThan(0);
      expect(value(page, `gateway_connector_samples_total{connector="${h.id}",type="${h.type}"}`), h.id).toBeGreaterThan(0);
      if (h.type !== 'mqtt' && h.type !== 'sparkplug') expect(value(page, `gateway_connector_request_duration_seconds_count{connector="${h.id}",type="${h.type}"}`), h.id).toBeGreaterThan(0);
    }
    expect(gw.connectors.map((c) => c.health().type).sort()).toEqual(expect.arrayContaining(['modbus', 'mqtt', 'opcua']));
    expect(page).toMatch(/^gateway_connector_request_duration_seconds_bucket\{connector="[^"]+",type="modbus",le="\+Inf"\} \d+$/m);
    for (const sub of ['storage', 'live', 'rules']) {
      expect(value(page, `gateway_bus_queue_depth{subscriber="${sub}",lane="priority"}`), sub).toBeGreaterThanOrEqual(0);
      expect(value(page, `gateway_bus_dropped_total{subscriber="${sub}"}`), sub).toBe(0);
    }
    expect(page).toMatch(/^gateway_event_loop_lag_seconds\{quantile="0.99"\} /m);
    expect(value(page, 'gateway_broker_intake_paused')).toBe(0);
    expect(value(page, 'gateway_broker_intake_pauses_total')).toBe(0);
    expect(value(page, 'gateway_broker_unstored_messages')).toBeGreaterThanOrEqual(0);
    const pumpAlarm = gw.alarms.active().find((a) => a.device === 'pump-b1-1');
    expect(value(page, `gateway_alarms_active{priority="${pumpAlarm?.priority}"}`)).toBeGreaterThanOrEqual(1);
    expect(value(page, `gateway_alarms_unacknowledged{priority="${pumpAlarm?.priority}"}`)).toBeGreaterThanOrEqual(1);
    expect(value(page, `gateway_alarm_events_total{event="raised",priority="${pumpAlarm?.priority}"}`)).toBeGreaterThanOrEqual(1);
    expect(page).toMatch(/^gateway_alarms_oldest_unacknowledged_age_seconds\{priority="1"\} /m);
    const open = ['open', 'dispatched'].reduce((n, s) => n + (value(page, `gateway_work_orders_open{status="${s}"}`) ?? 0), 0);
    expect(open).toBeGreaterThanOrEqual(1);
    expect(value(page, 'gateway_work_orders_overdue{deadline="fix"}')).toBe(0);
    expect(page).toMatch(/^gateway_work_order_deliveries\{status="pending"\} \d+$/m);
    expect(value(page, 'gateway_work_order_deliveries_dead_lettered')).toBe(0);
    expect(value(page, 'gateway_uptime_target_ratio{device="pump-b1-1",kind="pump",building="b1"}')).toBe(0.98);
    expect(page).toMatch(/^gateway_uptime_devices_below_target \d+$/m);
    expect(value(page, 'gateway_telemetry_samples_committed_total')).toBeGreaterThan(0);
    expect(value(page, 'gateway_telemetry_commit_duration_seconds_count')).toBeGreaterThan(0);
    expect(value(page, 'gateway_sqlite_file_bytes{file="telemetry.db"}')).toBeGreaterThan(0);
    expect(value(page, 'gateway_sqlite_file_bytes{file="gateway.db"}')).toBeGreaterThan(0);
    sims?.fleet.end('pump-b1-1', 'trip', Date.now());
  }, 90_000);

  it('every alert rule names a series the gateway exports (the InfluxDB spool series with storage.influx)', async () => {
    const exported = new Set(metricNamesIn(await scrape()));
    // the spool's series exist only with storage.influx: their names from the same code
    const influx = new Registry();
    new TelemetryMetrics(influx, () => {
      throw new Error('not scraped');
    });
    for (const m of influx.getMetricsAsArray()) exported.add(m.name);
    const rules = alertExpressions(readFileSync('config/prometheus/gateway-alerts.yml', 'utf8'));
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const r of rules) {
      const names = r.metrics;
      expect(names.length, `${r.alert} names no metric`).toBeGreaterThan(0);
      for (const n of names) expect(exported.has(n) || exported.has(n.replace(/_(bucket|sum|count)$/, '')), `${r.alert}: ${n}`).toBe(true);
    }
    // and so does every panel of the gateway's Grafana dashboard
    const dash = JSON.parse(readFileSync('config/grafana/gateway/gateway.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string; datasource: { uid: string } }> }> };
    expect(dash.panels.length).toBeGreaterThanOrEqual(10);
    for (const p of dash.panels) {
      for (const t of p.targets) {
        expect(t.datasource.uid, p.title).toBe('prometheus-gateway');
        const names = metricNamesOf(t.expr);
        expect(names.length, `${p.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of names) expect(exported.has(n) || exported.has(n.replace(/_(bucket|sum|count)$/, '')), `${p.title}: ${n}`).toBe(true);
      }
    }
  });
});
