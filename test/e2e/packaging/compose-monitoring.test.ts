/**
 * The compose stack's monitoring of the gateway itself: `docker-compose config` accepts the file,
 * Prometheus scrapes the gateway's /metrics and loads the alert rules, the gateway answers the
 * Host Prometheus sends, and Grafana is provisioned with the Prometheus data source and the
 * gateway's dashboard. (Which metrics the rules and the dashboard read: test/e2e/gateway/metrics/.)
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runTracked } from '../../support/child-processes.ts';
import { alertExpressions } from '../../support/prometheus-rules.ts';

interface Service {
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service>; volumes: Record<string, unknown> };

describe('compose stack: Prometheus and Grafana for the gateway itself', () => {
  it('docker-compose config passes', async () => {
    const run = await runTracked('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
    expect(run.code, `docker-compose must be installed (.ci/run): ${run.stderr}`).toBe(0);
  });

  it('Prometheus scrapes gateway:8080/metrics, loads the alert rules, and the gateway serves that Host', () => {
    const prometheus = compose.services.prometheus;
    expect(prometheus?.volumes).toContain('./config/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(prometheus?.volumes).toContain('./config/prometheus/gateway-alerts.yml:/etc/prometheus/rules/gateway-alerts.yml:ro');
    expect(prometheus?.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(compose.volumes).toHaveProperty('prometheus-data');
    const config = parse(readFileSync('config/prometheus/prometheus.yml', 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; metrics_path: string; static_configs: Array<{ targets: string[] }> }>;
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/gateway-alerts.yml']);
    const job = config.scrape_configs.find((j) => j.job_name === 'facility-gateway');
    expect(job).toMatchObject({ metrics_path: '/metrics', static_configs: [{ targets: ['gateway:8080'] }] });
    // GatewayDown looks for this job's series
    expect(alertExpressions(readFileSync('config/prometheus/gateway-alerts.yml', 'utf8')).find((r) => r.alert === 'GatewayDown')?.expr).toContain('job="facility-gateway"');
    const site = parse(readFileSync('config/compose-site.yaml', 'utf8')) as { api: { port: number; allowedHosts?: string[] } };
    expect(site.api.port).toBe(8080);
    expect(site.api.allowedHosts).toContain('gateway');
  });

  it('Grafana has the Prometheus data source and the gateway dashboard', () => {
    const grafana = compose.services.grafana;
    const provider = parse(readFileSync('config/grafana/provisioning/dashboards/gateway.yaml', 'utf8')) as { providers: Array<{ options: { path: string } }> };
    expect(grafana?.volumes).toContain(`./config/grafana/gateway:${provider.providers[0]?.options.path}:ro`);
    const ds = parse(readFileSync('config/grafana/provisioning/datasources/prometheus.yaml', 'utf8')) as { datasources: Array<{ uid: string; type: string; url: string }> };
    expect(ds.datasources[0]).toMatchObject({ uid: 'prometheus-gateway', type: 'prometheus', url: 'http://prometheus:9090' });
    const dash = JSON.parse(readFileSync('config/grafana/gateway/gateway.json', 'utf8')) as { uid: string; panels: Array<{ targets: Array<{ datasource: { uid: string } }> }> };
    expect(dash.uid).toBe('facility-gateway');
    for (const p of dash.panels) for (const t of p.targets) expect(t.datasource.uid).toBe('prometheus-gateway');
  });
});
