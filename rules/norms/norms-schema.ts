/**
 * The `norms:` section of the site file: the working-day calendar, resident requests, inspection
 * rounds and the monthly norms report (rules/norms/README.md). Every field is optional.
 */
import { z } from 'zod';
import { duration, identifier } from '../../gateway/platform/config-primitives.ts';
import { DEVICE_KINDS } from '../../gateway/model/kinds/index.ts';
import { NORM_IDS } from './norms-report/norms-figures.ts';

const yearCalendar = z.strictObject({
  /** Days off: `2026-10-01` or an inclusive range `2026-10-01..2026-10-07`. */
  holidays: z.array(z.string()).default([]),
  /** Weekend days that are working days (make-up days). */
  workdays: z.array(z.string()).default([]),
});

const sla = z.strictObject({ respond: duration, fix: duration });

const limit = z.strictObject({ max: z.number().int().nonnegative(), window: duration });

export const REQUEST_CATEGORIES = ['repair', 'non_urgent', 'complaint'] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];

const residentsSchema = z.strictObject({
  /**
   * One secret link per building: the form is served at `/r/<token>` and the intake API takes the
   * same token. Use at least 16 random characters (`${RESIDENT_LINK_B1}` from the environment).
   */
  links: z.array(z.strictObject({ building: identifier, token: z.string().min(16, 'use at least 16 random characters') })).default([]),
  sla: z
    .strictObject({
      repair: sla.default({ respond: 30 * 60_000, fix: 24 * 3_600_000 }),
      non_urgent: sla.default({ respond: 24 * 3_600_000, fix: 48 * 3_600_000 }),
      /** A complaint: answered within `respond`, closed within `closeWorkingDays` on the working-day calendar. */
      complaint: z.strictObject({ respond: duration, closeWorkingDays: z.number().positive() }).default({ respond: 2 * 3_600_000, closeWorkingDays: 3 }),
    })
    .prefault({}),
  /** Trade of the work order per category (routes it to a contractor). */
  trades: z.record(z.enum(REQUEST_CATEGORIES), z.string()).default({ repair: 'general', non_urgent: 'general', complaint: 'management' }),
  limits: z
    .strictObject({
      perAddress: limit.default({ max: 5, window: 3_600_000 }),
      perBuilding: limit.default({ max: 60, window: 3_600_000 }),
      descriptionMax: z.number().int().positive().default(2000),
      photoMaxBytes: z.number().int().positive().default(2 * 1024 * 1024),
    })
    .prefault({}),
  /** Contact details are erased this long after a request is closed (personal data). */
  contactRetention: duration.default(365 * 86_400_000),
});

const checklistItem = z.strictObject({
  id: identifier,
  label: z.string().min(1),
  /** `check`: pass/fail; `reading`: a number, failing outside [min, max]. */
  type: z.enum(['check', 'reading']).default('check'),
  unit: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});

export const ROUND_KINDS = ['inspection', 'drill'] as const;

const routeSchema = z.strictObject({
  id: identifier,
  title: z.string().min(1),
  /** `drill`: a fire drill, recorded with its attendance. */
  kind: z.enum(ROUND_KINDS).default('inspection'),
  /** When rounds are due (cron, in the site time zone). */
  cron: z.string().min(1),
  /** How long after its start a round may be completed on time; a round not done by then is missed. */
  window: duration.default(4 * 3_600_000),
  /** The devices visited, in order (check-in by each device's QR link). */
  devices: z.array(z.string()).default([]),
  /** Or every device of these kinds. */
  deviceKinds: z.array(z.enum(DEVICE_KINDS)).default([]),
  checklist: z.array(checklistItem).min(1),
  /** Trade of the work order a failed item opens. */
  trade: z.string().default('general'),
});

export const normsSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    calendar: z.strictObject({ years: z.record(z.string().regex(/^\d{4}$/, 'expected a year'), yearCalendar).default({}) }).prefault({}),
    residents: residentsSchema.prefault({}),
    inspections: z.strictObject({ routes: z.array(routeSchema).default([]) }).prefault({}),
    report: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Delay after local midnight on the 1st. */
        after: duration.default(15 * 60_000),
        retentionYears: z.number().int().positive().default(5),
        top: z.number().int().positive().default(5),
        /** Targets in % per norm, overriding the defaults (rules/norms/README.md). */
        targets: z.partialRecord(z.enum(NORM_IDS), z.number().min(0).max(100)).default({}),
      })
      .prefault({}),
  })
  .prefault({});

export type NormsConfig = z.output<typeof normsSchema>;
export type RouteConfig = NormsConfig['inspections']['routes'][number];
export type ResidentsConfig = NormsConfig['residents'];
