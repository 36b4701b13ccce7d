import { z } from 'zod';
import { duration, identifier } from '../../config/common-schema.ts';

export const opcuaConnectorSchema = z.object({
  id: identifier,
  type: z.literal('opcua'),
  endpoint: z.string().regex(/^opc\.tcp:\/\//, 'expected an opc.tcp:// endpoint URL'),
  securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
  securityPolicy: z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).default('None'),
  identity: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('anonymous') }),
      z.object({ type: z.literal('user'), username: z.string(), password: z.string() }),
      z.object({ type: z.literal('certificate'), certificateFile: z.string(), privateKeyFile: z.string() }),
    ])
    .default({ type: 'anonymous' }),
  publishingInterval: duration.default(500),
});

export const opcuaBindingSchema = z.object({
  connector: identifier,
  /** Canonical point name → node id (`ns=1;s=Panel1.Zone1.State`). `{zone}` expands per fire zone. */
  nodes: z.record(z.string(), z.string()),
  samplingInterval: duration.default(250),
});
