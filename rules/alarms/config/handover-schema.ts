/**
 * `alarms.handover`: the site's shifts (start times in the site's time zone; each shift runs to the
 * next one's start) and how long signed handover reports are kept.
 */
import { z } from 'zod';
import { bilingualText } from './procedure-schema.ts';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:MM such as 08:00');

export const shiftSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lower-case letters, digits, "_" or "-"'),
  name: bilingualText,
  /** Local start time in the site's time zone. */
  start: clockTime,
});

export const handoverSchema = z
  .object({
    shifts: z
      .array(shiftSchema)
      .min(1)
      .default([
        { id: 'day', name: { 'zh-CN': '白班', en: 'Day shift' }, start: '08:00' },
        { id: 'night', name: { 'zh-CN': '夜班', en: 'Night shift' }, start: '20:00' },
      ]),
    /** Signed reports older than this (years after the shift ended) are deleted; default 5. */
    keepYears: z.number().int().min(1).max(50).default(5),
  })
  .superRefine((h, ctx) => {
    const starts = new Set<string>();
    const ids = new Set<string>();
    h.shifts.forEach((s, i) => {
      if (starts.has(s.start)) ctx.addIssue({ code: 'custom', message: `two shifts start at ${s.start}`, path: ['shifts', i, 'start'] });
      if (ids.has(s.id)) ctx.addIssue({ code: 'custom', message: `shift id "${s.id}" used twice`, path: ['shifts', i, 'id'] });
      starts.add(s.start);
      ids.add(s.id);
    });
  });
export type HandoverSettings = z.output<typeof handoverSchema>;
export type ShiftConfig = z.output<typeof shiftSchema>;
