/**
 * setupFile of every project, first in the list so its afterAll runs last: with TEST_CPU_LOG=<file>
 * set, appends one JSON line per test file with the CPU seconds the file cost — the worker's own and
 * its reaped children's (the gateways and simulators it started). `npm run bench:tests -- --cpu`
 * sums them into the most expensive files. Without the variable it does nothing.
 */
import { appendFileSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { processCpuSeconds as cpuTimes } from './proc-cpu.ts';

const logFile = process.env.TEST_CPU_LOG;
if (logFile) {
  let start = { self: 0, children: 0 };
  let wall = 0;
  beforeAll(() => {
    start = cpuTimes();
    wall = performance.now();
  });
  afterAll(() => {
    const end = cpuTimes();
    const file = expect.getState().testPath ?? 'unknown';
    const line = {
      file: file.slice(file.indexOf('/test/') + 1),
      self: +(end.self - start.self).toFixed(2),
      children: +(end.children - start.children).toFixed(2),
      wall: +((performance.now() - wall) / 1000).toFixed(2),
    };
    appendFileSync(logFile, `${JSON.stringify(line)}\n`);
  });
}
