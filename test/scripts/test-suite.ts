/**
 * npm test — the unit project, then the e2e project, each in a vitest run of its own; exits with a
 * failure if either failed (the e2e project runs even when unit failed, so one run shows both).
 *
 *   npm test                                  # both projects, whole
 *   npm test -- test/e2e/fire-drill clock     # filters: each project runs the files of its own they match
 *
 * With filters, the projects that hold a matching file run (`vitest list --filesOnly` decides); no
 * match at all fails, as one vitest run would.
 *
 * Why not one `vitest run --project unit --project e2e`: on 2 cores the two projects' workers (four
 * each) ran side by side, each loading its module graph while the others ran tests. One after the
 * other took 12–14 % less wall time and 14–19 % less CPU (two alternating pairs, 2026-11-30
 * 12:26–12:32 UTC: 108.4 and 102.4 s together against 95.5 and 88.2 s in turn; BENCHMARKS.md).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const PROJECTS = ['unit', 'e2e'] as const;
const filters = process.argv.slice(2);

/** The projects with a file matching the filters (all of them without filters). */
function projectsToRun(): readonly string[] {
  if (filters.length === 0) return PROJECTS;
  const listed = spawnSync(process.execPath, [vitest, 'list', '--filesOnly', '--json', ...PROJECTS.flatMap((p) => ['--project', p]), ...filters], { encoding: 'utf8' });
  if (listed.status !== 0) return PROJECTS; // a flag `list` does not take: let each run say what is wrong
  const files = JSON.parse(listed.stdout) as Array<{ projectName: string }>;
  return PROJECTS.filter((p) => files.some((f) => f.projectName === p));
}

const projects = projectsToRun();
if (projects.length === 0) {
  process.stderr.write(`No test file of the unit or e2e project matches ${filters.join(' ')}\n`);
  process.exit(1);
}
let exitCode = 0;
for (const project of projects) {
  const run = spawnSync(process.execPath, [vitest, 'run', '--project', project, ...filters], { stdio: 'inherit' });
  if (run.signal) {
    // Ctrl-C reached vitest too (same process group): stop here, as one vitest run would
    process.stderr.write(`vitest --project ${project} ended by ${run.signal}\n`);
    process.exit(130);
  }
  if (run.status !== 0) exitCode = run.status ?? 1;
}
process.exit(exitCode);
