/**
 * The Dockerfile rules CI holds (no Docker engine and no hadolint package on the CI box): a small
 * parser of Dockerfile instructions (continuation lines joined, comments dropped, ARG defaults
 * substituted into FROM) and one function per rule returning what breaks it.
 */
export interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot parse "${line}"`);
    out.push({ line: start + 1, keyword: (m[1] as string).toUpperCase(), args: (m[2] as string).trim() });
  }
  return out;
}

/** The image of each FROM with ARG defaults (declared before it) substituted; stage references are left out. */
export function baseImages(ins: readonly Instruction[]): Array<{ line: number; image: string }> {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images: Array<{ line: number; image: string }> = [];
  for (const i of ins) {
    if (i.keyword === 'ARG') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(i.args);
      if (m && m[2] !== undefined) args.set(m[1] as string, m[2].replace(/^"|"$/g, ''));
    }
    if (i.keyword === 'FROM') {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = (words[0] ?? '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => args.get(n) ?? `\${${n}}`);
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      if (!stages.has(image)) images.push({ line: i.line, image });
      if (as >= 0 && words[as + 1]) stages.add(words[as + 1] as string);
    }
  }
  return images;
}

export function ruleViolations(text: string): string[] {
  const ins = parseDockerfile(text);
  const problems: string[] = [];
  const froms = ins.filter((i) => i.keyword === 'FROM');
  if (froms.length < 2) problems.push('not a multi-stage build (one FROM)');
  for (const { line, image } of baseImages(ins)) {
    const [name, tag] = image.split(/:(?=[^/]*$)/);
    if (tag === undefined) problems.push(`line ${line}: ${image} has no tag (implicitly latest)`);
    else if (/(^|-)latest$/.test(tag)) problems.push(`line ${line}: ${image} uses a latest tag`);
    if (name === 'node' && !/^24(\.|-|$)/.test(tag ?? '')) problems.push(`line ${line}: ${image} is not Node major 24`);
  }
  // the last stage is what runs
  const lastFrom = ins.lastIndexOf(froms[froms.length - 1] as Instruction);
  const final = ins.slice(lastFrom);
  const users = final.filter((i) => i.keyword === 'USER');
  const user = users[users.length - 1]?.args.split(':')[0];
  if (user === undefined) problems.push('the final stage sets no USER (runs as root)');
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as ${user}`);
  const healthchecks = final.filter((i) => i.keyword === 'HEALTHCHECK');
  if (healthchecks.length !== 1 || /^NONE$/i.test(healthchecks[0]?.args ?? '')) problems.push('the final stage needs exactly one HEALTHCHECK');
  else if (!/\/api\/health|healthcheck/.test(healthchecks[0]?.args ?? '')) problems.push('the HEALTHCHECK does not probe /api/health');
  for (const c of final.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
    if (c.keyword === 'ADD') problems.push(`line ${c.line}: ADD (use COPY)`);
    if (!/--chown=/.test(c.args)) problems.push(`line ${c.line}: COPY without --chown in the final stage`);
  }
  for (const e of ins.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
    if (/(password|passwd|secret|token|api_?key|private_?key)\w*\s*=/i.test(e.args) || /(password|secret|token)\s+\S/i.test(e.args.split('=')[0] ?? '')) {
      problems.push(`line ${e.line}: ${e.keyword} carries a secret (${e.args.split(/[=\s]/)[0]}); use Docker secrets`);
    }
  }
  if (!final.some((i) => i.keyword === 'VOLUME' && /\/data\b/.test(i.args))) problems.push('no VOLUME for /data');
  for (const r of ins.filter((i) => i.keyword === 'RUN')) {
    if (/\bnpm (install|i)\b/.test(r.args)) problems.push(`line ${r.line}: npm install (use npm ci, reproducible from the lock)`);
    if (/\bcurl\b|\bwget\b/.test(r.args)) problems.push(`line ${r.line}: downloads in RUN`);
    if (/\bsudo\b/.test(r.args)) problems.push(`line ${r.line}: sudo`);
  }
  const ep = [...final].reverse().find((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD');
  if (ep && !ep.args.startsWith('[')) problems.push(`line ${ep.line}: ${ep.keyword} in shell form (signals do not reach node)`);
  return problems;
}
