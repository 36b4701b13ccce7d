/**
 * Scenario files: a timeline of faults for the simulated devices of a site, validated with zod.
 *
 *   name: pump-failure-cascade
 *   seed: 7
 *   duration: 2h
 *   sampleEvery: 5s
 *   events:
 *     - { at: 2m, device: pump-b1-1, fault: cavitation, for: 10m }
 *     - { at: 1h, kind: smoke_detector, building: b2, fault: offline, for: 5m, repeat: { every: 10m, times: 3 } }
 *     - { at: 5m, device: fire-panel-1, fault: zone_fire, zone: 3 }
 *   random:
 *     - { kind: pump, fault: trip, mtbf: 20d, mttr: 4h }
 */
import { z } from 'zod';
import { duration } from '../../gateway/platform/config-primitives.ts';

import { DEVICE_KINDS } from '../../gateway/model/device-kinds.ts';

export const scenarioDuration = duration;

const positiveDuration = scenarioDuration.refine((ms) => ms > 0, 'must be longer than 0');

/** Which devices an event or random fault applies to; every given selector must match. */
const selectorFields = {
  /** One device id or a list of ids. */
  device: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  kind: z.enum(DEVICE_KINDS).optional(),
  building: z.string().min(1).optional(),
  floor: z.string().min(1).optional(),
};

const faultFields = {
  /** A fault of the device's kind (see simulators/README.md), or `offline` for any kind. */
  fault: z.string().min(1),
  /** Zone number, for the fire panel's zone_fire / zone_fault / zone_disabled. */
  zone: z.number().int().min(1).optional(),
};

const hasSelector = (s: { device?: unknown; kind?: unknown; building?: unknown; floor?: unknown }) =>
  s.device !== undefined || s.kind !== undefined || s.building !== undefined || s.floor !== undefined;
const selectorMessage = { message: 'needs a device selector: device, kind, building and/or floor' };

export const scenarioEventSchema = z
  .object({
    at: scenarioDuration,
    ...selectorFields,
    ...faultFields,
    /** How long the fault lasts; without it, until the end of the scenario. */
    for: positiveDuration.optional(),
    repeat: z.object({ every: positiveDuration, times: z.number().int().min(1).max(100_000) }).strict().optional(),
  })
  .strict()
  .refine(hasSelector, selectorMessage);

export const randomFaultSchema = z
  .object({
    ...selectorFields,
    ...faultFields,
    /** Mean time between failures, per device. */
    mtbf: positiveDuration,
    /** Mean time to repair (exponentially distributed). */
    mttr: positiveDuration,
  })
  .strict()
  .refine(hasSelector, selectorMessage);

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().default(1),
    /** Wall-clock start of the scenario (ISO 8601); default 2026-01-05T00:00:00Z. */
    start: z.iso.datetime({ offset: true }).optional(),
    duration: positiveDuration,
    /** How often the direct runner reports every device's values into the sink. */
    sampleEvery: positiveDuration.default(10_000),
    events: z.array(scenarioEventSchema).default([]),
    random: z.array(randomFaultSchema).default([]),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioEvent = Scenario['events'][number];
export type RandomFault = Scenario['random'][number];
export type DeviceSelector = Pick<ScenarioEvent, 'device' | 'kind' | 'building' | 'floor'>;

export const DEFAULT_SCENARIO_START = Date.UTC(2026, 0, 5);
