import { z } from 'zod';
import { BINDING_SCHEMAS } from '../connectors/connector-schemas.ts';
import { siteConfigSchema } from './site-schema.ts';

/** JSON Schema of the config file (input side: what a person writes), for editor completion. */
export function siteJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(siteConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const bindings = Object.values(BINDING_SCHEMAS).map((s) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }));
  const devices = (schema.properties as Record<string, { items?: { properties?: Record<string, unknown> } }>).devices;
  if (devices?.items?.properties) {
    devices.items.properties.binding = { anyOf: bindings.map(({ $schema: _drop, ...rest }) => rest) };
  }
  return { title: 'Facility gateway site configuration', ...schema };
}
