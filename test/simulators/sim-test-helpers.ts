/** Shared helpers for the simulator tests: the demo site, shipped scenarios, collecting sinks. */
import { fileURLToPath } from 'node:url';
import type { Sample, SampleSink } from '../../gateway/model/sample.ts';
import { readScenarioFile } from '../../simulators/scenario/scenario-file.ts';
import type { Scenario } from '../../simulators/scenario/scenario-schema.ts';
import { readSiteFile, type SimSite } from '../../simulators/site-file.ts';

export const DEMO_SITE_FILE = fileURLToPath(new URL('../../config/demo-site.yaml', import.meta.url));

export function demoSite(): SimSite {
  return readSiteFile(DEMO_SITE_FILE);
}

export function shippedScenario(name: string): Scenario {
  return readScenarioFile(fileURLToPath(new URL(`../../simulators/scenarios/${name}.yaml`, import.meta.url)));
}

export class CollectingSink implements SampleSink {
  readonly samples: Sample[] = [];

  push(batch: readonly Sample[]): void {
    this.samples.push(...batch);
  }

  of(device: string, point: string): Sample[] {
    return this.samples.filter((s) => s.device === device && s.point === point);
  }

  /** The value of `device.point` in the report made at `ts` (undefined when it did not report). */
  at(device: string, point: string, ts: number): Sample['value'] | undefined {
    return this.samples.find((s) => s.device === device && s.point === point && s.ts === ts)?.value;
  }
}

export { freePort } from '../support/free-port.ts';
