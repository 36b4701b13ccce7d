/** A device kind named in configuration or a request: a built-in kind or one a site file declared. */
import { z } from 'zod';
import { allKinds, isDeviceKind } from './index.ts';

export const kindName = z.string().superRefine((kind, ctx) => {
  if (!isDeviceKind(kind)) {
    ctx.addIssue({ code: 'custom', message: `unknown device kind "${kind}" (known: ${allKinds().map((k) => k.kind).join(', ')}; a site declares its own under kinds:)` });
  }
});

/** What an alarm or work-order signal is about: a device kind, or `connection` (a connector's link). */
export const subjectKindName = z.union([kindName, z.literal('connection')]);
