/**
 * Top functions of a V8 `.cpuprofile` (from `npm run bench:e2e -- --cpu-prof DIR`): self time per
 * function (name, file:line), as a share of all samples, the largest first.
 *
 *   npm run bench:profile-summary -- DIR/CPU.*.cpuprofile [TOP]
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

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/e2e-profile-summary.ts FILE.cpuprofile [TOP]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const f = byId.get(id)?.callFrame;
  const short = f?.url ? f.url.replace(/^.*\/(node_modules\/|gateway\/|rules\/)/, '$1') : '';
  const key = f ? `${f.functionName || '(anonymous)'} ${short ? `${short}:${f.lineNumber + 1}` : ''}`.trim() : '?';
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
console.log(`| self % | self ms | function |\n|---|---|---|`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 15))) {
  console.log(`| ${((us / total) * 100).toFixed(1)} | ${(us / 1000).toFixed(0)} | \`${key}\` |`);
}
console.log(`\n${(total / 1e6).toFixed(1)} s sampled`);
