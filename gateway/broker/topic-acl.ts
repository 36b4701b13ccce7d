/**
 * Publish/subscribe authorization of the embedded broker by topic prefix. With no rules everything
 * is allowed (as before); with rules, a client may publish to a topic, or subscribe to a filter,
 * only when a rule for its username (or a rule without username, for everyone) lists a prefix
 * covering it. A prefix is literal text (`demo/b1/`); `#` alone means every topic. A subscription
 * filter is covered only when its wildcards lie after the prefix: `demo/b1/#` is covered by
 * `demo/b1/`, `demo/#` and `#` are not.
 */

export interface AclRule {
  /** Username the rule applies to; absent = every client, anonymous included. */
  readonly username?: string | undefined;
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

export class TopicAcl {
  private readonly rules: readonly AclRule[];

  constructor(rules: readonly AclRule[]) {
    this.rules = rules;
  }

  get enabled(): boolean {
    return this.rules.length > 0;
  }

  canPublish(username: string | undefined, topic: string): boolean {
    if (!this.enabled) return true;
    return this.prefixesFor(username, 'publish').some((p) => p === '#' || topic.startsWith(p));
  }

  canSubscribe(username: string | undefined, filter: string): boolean {
    if (!this.enabled) return true;
    const wildcardAt = firstWildcard(filter);
    return this.prefixesFor(username, 'subscribe').some((p) => p === '#' || (filter.startsWith(p) && wildcardAt >= p.length));
  }

  private prefixesFor(username: string | undefined, action: 'publish' | 'subscribe'): string[] {
    return this.rules.filter((r) => r.username === undefined || r.username === username).flatMap((r) => r[action]);
  }
}

function firstWildcard(filter: string): number {
  const plus = filter.indexOf('+');
  const hash = filter.indexOf('#');
  const found = [plus, hash].filter((i) => i >= 0);
  return found.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...found);
}
