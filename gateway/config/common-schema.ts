import { z } from 'zod';

export { duration, identifier } from '../platform/config-primitives.ts';

export const hostPort = {
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
};
