/**
 * What a V8 heap snapshot holds, by kind of object: self size and count per (node type, constructor
 * or function name), largest first. Used on the snapshot `bench:memory -- --snapshot` takes of the
 * gateway under load (SIGUSR2 with --heapsnapshot-signal).
 *
 *   npm run bench:heap-summary -- FILE.heapsnapshot [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
const file = positionals[0];
if (!file) throw new Error('usage: npm run bench:heap-summary -- FILE.heapsnapshot [--top 30]');

// A snapshot of a large heap is more text than one JS string may hold: the header and the strings
// are parsed as JSON, the nodes array is scanned as bytes.
const buf = readFileSync(file);
const nodesAt = buf.indexOf('"nodes":[');
const header = JSON.parse(`${buf.subarray(0, nodesAt).toString('utf8').replace(/,\s*$/, '')}}`) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] }; node_count: number };
};
const fields = header.snapshot.meta.node_fields;
const types = header.snapshot.meta.node_types[0];
const width = fields.length;
const nodes = new Float64Array(header.snapshot.node_count * width);
{
  let at = nodesAt + '"nodes":['.length;
  let n = 0;
  let cur = -1;
  for (; n < nodes.length; at++) {
    const c = buf[at] as number;
    if (c >= 48 && c <= 57) cur = (cur < 0 ? 0 : cur * 10) + (c - 48);
    else if (cur >= 0) {
      nodes[n++] = cur;
      cur = -1;
    }
    if (c === 93 && cur < 0) break; // ]
  }
}
const stringsAt = buf.lastIndexOf('"strings":[');
const strings = JSON.parse(buf.subarray(stringsAt + '"strings":'.length, buf.lastIndexOf(']') + 1).toString('utf8')) as string[];
const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
const by = new Map<string, { bytes: number; count: number }>();
let total = 0;
for (let i = 0; i < nodes.length; i += width) {
  const type = types[nodes[i + typeAt] as number] ?? '?';
  const size = nodes[i + sizeAt] as number;
  // strings and numbers by type only; objects, closures and arrays by their constructor / function name
  const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' ? '' : (strings[nodes[i + nameAt] as number] ?? '?').slice(0, 60);
  const key = `${type}${name ? ` ${name}` : ''}`;
  const e = by.get(key) ?? { bytes: 0, count: 0 };
  e.bytes += size;
  e.count++;
  by.set(key, e);
  total += size;
}
console.log(`# ${file}: ${(total / 2 ** 20).toFixed(1)} MiB in ${(nodes.length / width).toLocaleString('en')} objects`);
console.log('| what | MiB | objects |\n|---|---|---|');
for (const [key, e] of [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(values.top))) {
  console.log(`| ${key.replace(/\|/g, '\\|')} | ${(e.bytes / 2 ** 20).toFixed(1)} | ${e.count.toLocaleString('en')} |`);
}
