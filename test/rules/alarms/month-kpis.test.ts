/**
 * Alarm KPIs over the shipped month-of-operation scenario (#22.2 acceptance), in process on the
 * VirtualClock (test/rules/alarms/month-alarms.ts): the KPI report of the month, for the site and
 * per building, must equal the independent recomputation from the raw journal rows in SQLite
 * (test/rules/alarms/kpi-recompute.ts).
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp-dir.ts';
import { expectKpisEqual, recomputeKpis } from './kpi-recompute.ts';
import { runMonthOfAlarms } from './month-alarms.ts';

describe('alarm KPIs over the month-of-operation scenario', () => {
  it('equal an independent recomputation from the raw journal, for the site and per building', async () => {
    const dir = tempDir('month-kpis-');
    try {
      const dbFile = `${dir.path}/gateway.db`;
      const month = await runMonthOfAlarms(dbFile);
      const r = recomputeKpis(dbFile, month.from, month.to);
      expect(r.alarms).toBeGreaterThan(100); // a month of faults, not a quiet site
      expect(r.ack[1]?.count ?? 0).toBeGreaterThan(0);
      expect(r.ack[2]?.count ?? 0).toBeGreaterThan(0);
      expectKpisEqual(month.kpis, r);
      for (const b of month.buildings) {
        const rb = recomputeKpis(dbFile, month.from, month.to, b);
        expect(rb.alarms, b).toBeGreaterThan(0);
        expectKpisEqual(month.kpisOf(b), rb);
      }
    } finally {
      dir.cleanup();
    }
  }, 600_000);
});
