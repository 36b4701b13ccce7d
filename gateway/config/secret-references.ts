/**
 * Secrets out of the site file: any string may name an environment variable (`${NAME}`, also inside
 * a longer string; `$${` is a literal `${`), and any string value may be replaced by `{ file: path }`,
 * the content of that file without its trailing newline (a Docker or Kubernetes secret; a relative
 * path is relative to the site file; the path may itself use `${NAME}`, e.g. `${SECRETS_DIR}/x`). Resolved on the raw document, before validation; every
 * problem is reported with the path of the field and never with a value.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { formatPath, type ConfigIssue } from './config-error.ts';

/** Settings that are objects with a `file` key of their own, not file references. */
const OBJECTS_WITH_A_FILE_KEY = new Set(['storage.influx.spool']);

export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory of the site file (relative `file:` paths start there). */
  readonly baseDir: string;
}

const ENV_REF = /\$(\$?)\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isFileRef(value: unknown): value is { file: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'file' && typeof (value as { file: unknown }).file === 'string';
}

export function resolveSecretReferences(raw: unknown, sources: SecretSources): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: Array<string | number>): unknown => {
    if (typeof node === 'string') return interpolate(node, path);
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (typeof node !== 'object' || node === null) return node;
    if (isFileRef(node) && !OBJECTS_WITH_A_FILE_KEY.has(formatPath(path))) return readSecretFile(interpolate(node.file, path), path);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v, [...path, k]);
    return out;
  };
  const interpolate = (text: string, path: Array<string | number>): string =>
    text.replace(ENV_REF, (whole, escaped: string, name: string) => {
      if (escaped === '$') return whole.slice(1);
      if (!ENV_NAME.test(name)) {
        issues.push({ path: formatPath(path), message: `"\${${name}}" is not a valid environment variable reference (letters, digits and _; write $\${ for a literal \${)` });
        return '';
      }
      const value = sources.env[name];
      if (value === undefined) {
        issues.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
        return '';
      }
      return value;
    });
  const readSecretFile = (file: string, path: Array<string | number>): string => {
    const full = isAbsolute(file) ? file : resolve(sources.baseDir, file);
    try {
      return readFileSync(full, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      issues.push({ path: formatPath(path), message: `cannot read secret file ${full}: ${code}` });
      return '';
    }
  };
  const value = walk(raw, []);
  return { value, issues };
}

export function secretSourcesFor(file: string): SecretSources {
  return { env: process.env, baseDir: file.startsWith('<') ? process.cwd() : dirname(resolve(file)) };
}
