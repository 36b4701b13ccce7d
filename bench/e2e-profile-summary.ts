/**
 * Top functions of a V8 `.cpuprofile` (from `npm run bench:e2e -- --cpu-prof DIR`): self time per
 * function (name, file:line), as a share of all samples, the largest first.
 *
 *   npm run bench:profile-summary -- DIR/CPU.*.cpuprofile [TOP] [FROM_S TO_S]
 *
 * With FROM_S and TO_S only the samples between those seconds after the profile's start count
 * (e.g. the seconds a backlog drained; `--buckets` prints the samples per half second of a few
 * functions to find them).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topArg, fromArg, toArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/e2e-profile-summary.ts FILE.cpuprofile [TOP]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
const from = fromArg === undefined ? -Infinity : Number(fromArg) * 1e6;
const to = toArg === undefined ? Infinity : Number(toArg) * 1e6;
const buckets = topArg === '--buckets' ? new Map<number, Record<string, number>>() : undefined;
let at = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  const f = byId.get(id)?.callFrame;
  if (buckets) {
    const b = Math.floor(at / 5e5) / 2;
    const row = buckets.get(b) ?? { samples: 0, idle: 0, take: 0, transaction: 0, settle: 0 };
    row.samples = (row.samples ?? 0) + 1;
    for (const name of ['idle', 'take', 'transaction', 'settle']) if (f?.functionName.replace(/[()]/g, '') === name) row[name] = (row[name] ?? 0) + 1;
    buckets.set(b, row);
    return;
  }
  if (at < from || at >= to) return;
  const short = f?.url ? f.url.replace(/^.*\/(node_modules\/|gateway\/|rules\/)/, '$1') : '';
  const key = f ? `${f.functionName || '(anonymous)'} ${short ? `${short}:${f.lineNumber + 1}` : ''}`.trim() : '?';
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
if (buckets) {
  for (const [b, row] of buckets) console.log(`${b.toFixed(1)} s ${JSON.stringify(row)}`);
  process.exit(0);
}
console.log(`| self % | self ms | function |\n|---|---|---|`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 15))) {
  console.log(`| ${((us / total) * 100).toFixed(1)} | ${(us / 1000).toFixed(0)} | \`${key}\` |`);
}
console.log(`\n${(total / 1e6).toFixed(1)} s sampled`);
