/**
 * Topic patterns with named segments (`site/{building}/smoke/{device}/state`): the MQTT filter they
 * subscribe to (`site/+/smoke/+/state`) and the segment values of a matching topic. A named segment
 * fills a whole level; `+` and a final `#` keep their MQTT meaning.
 */

export interface TopicPattern {
  readonly pattern: string;
  readonly filter: string;
  readonly names: readonly string[];
  match(topic: string): Record<string, string> | undefined;
}

const NAMED = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Why `pattern` is not a usable topic pattern, or undefined when it is. */
export function patternProblem(pattern: string): string | undefined {
  const levels = pattern.split('/');
  const names = new Set<string>();
  for (const [i, level] of levels.entries()) {
    if (level === '#' && i !== levels.length - 1) return '"#" must be the last level';
    if (level === '+' || level === '#') continue;
    if (level.includes('{') || level.includes('}')) {
      const m = NAMED.exec(level);
      if (!m?.[1]) return `level "${level}": a named segment fills a whole level, like {device}`;
      if (names.has(m[1])) return `segment {${m[1]}} appears twice`;
      names.add(m[1]);
    } else if (level.includes('+') || level.includes('#')) {
      return `level "${level}": wildcards must fill a whole level`;
    }
  }
  return undefined;
}

export function compilePattern(pattern: string): TopicPattern {
  const problem = patternProblem(pattern);
  if (problem) throw new Error(`topic pattern "${pattern}": ${problem}`);
  const levels = pattern.split('/');
  const slots = levels.map((level) => NAMED.exec(level)?.[1]);
  const filter = levels.map((level, i) => (slots[i] !== undefined ? '+' : level)).join('/');
  const endsWithHash = levels.at(-1) === '#';
  return {
    pattern,
    filter,
    names: slots.filter((s): s is string => s !== undefined),
    match(topic: string): Record<string, string> | undefined {
      const parts = topic.split('/');
      if (endsWithHash ? parts.length < levels.length - 1 : parts.length !== levels.length) return undefined;
      if ((parts[0] ?? '').startsWith('$')) return undefined;
      const values: Record<string, string> = {};
      for (let i = 0; i < levels.length; i++) {
        const level = levels[i] as string;
        if (level === '#') break;
        const part = parts[i] as string;
        const name = slots[i];
        if (name !== undefined) {
          if (part === '') return undefined;
          values[name] = part;
        } else if (level !== '+' && level !== part) {
          return undefined;
        }
      }
      return values;
    },
  };
}
