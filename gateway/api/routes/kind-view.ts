/** The device-kind descriptors as GET /api/site serves them (gateway/model/kinds/). */
import { z } from 'zod';

const labels = z.object({ en: z.string(), 'zh-CN': z.string() });
const conditionValue = z.union([z.number(), z.boolean(), z.string()]);
const pointCondition = z.object({ point: z.string(), eq: conditionValue.optional(), ne: conditionValue.optional() });
const kindCondition = z.union([pointCondition, z.object({ all: z.array(pointCondition) })]);

const pointDef = z.object({
  name: z.string(),
  type: z.enum(['number', 'boolean', 'enum', 'string']),
  unit: z.string().optional(),
  values: z.array(z.string()).optional(),
  description: z.string(),
  label: labels.optional(),
  valueLabels: z.record(z.string(), labels).optional(),
});

export const kindView = z.object({
  kind: z.string(),
  label: labels,
  lifeSafety: z.boolean(),
  points: z.array(pointDef),
  zones: z
    .object({
      pattern: z.string(),
      type: z.literal('enum'),
      values: z.array(z.string()),
      description: z.string(),
      label: labels,
      valueLabels: z.record(z.string(), labels).optional(),
    })
    .optional(),
  inAlarm: z.array(kindCondition),
  fault: z.array(pointCondition),
  uptime: z.object({ down: z.array(pointCondition), comms: z.enum(['down', 'separate']) }),
  rulePack: z.string().optional(),
});
