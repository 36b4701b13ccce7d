/**
 * What the gateway started, in order, so that it can be stopped in reverse: the same list serves a
 * normal stop and a failed start-up (everything already started is torn down, nothing is left
 * running half-started). A step that fails is logged and the others still run.
 */
import type { Logger } from 'pino';

export class Teardown {
  private readonly steps: Array<{ readonly name: string; readonly run: () => unknown }> = [];
  private done: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  /** Register how to undo something that was just started. */
  add(name: string, run: () => unknown): void {
    this.steps.push({ name, run });
  }

  /** Undo everything registered, last first; runs once (later calls wait for the first). */
  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (err) {
          this.log.warn({ err, step: step.name }, `stopping ${step.name} failed`);
        }
      }
    })();
    return this.done;
  }
}

/** A start-up failure, with one line that says what could not start and why. */
export class StartupError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${firstLine(cause)}`, { cause });
    this.name = 'StartupError';
  }
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}
