/** Writes config/schema.json from the zod schemas (`npm run schema`); a test checks it is current. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { siteJsonSchema } from '../gateway/config/json-schema.ts';

const target = fileURLToPath(new URL('./schema.json', import.meta.url));
await writeFile(target, `${JSON.stringify(siteJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
