/**
 * The one way a test waits: poll a condition until it holds, with a generous bound. Never a fixed
 * sleep. `check` may be sync or async; it is done when it returns anything but undefined/false (that
 * value is returned), and a check that throws counts as "not yet".
 *
 *   await waitFor(() => sink.samples.length >= 3, 10_000, 'three samples');
 *   const row = await waitFor(async () => (await fetchJson(url)).rows[0], 10_000, 'the first row');
 *
 * The bound is there to catch a hang, never to measure: it is at least MIN_WAIT_BOUND_MS, so a test
 * cannot fail on a busy machine merely for being slow (durations are measured in bench/).
 *
 * The older call order `waitFor(what, asyncProbe, timeoutMs, everyMs?)` is accepted too.
 */
export const MIN_WAIT_BOUND_MS = 15_000;

type Check<T> = () => T | undefined | false | Promise<T | undefined | false>;

export function waitFor<T>(check: Check<T>, timeoutMs: number, what: string, stepMs?: number): Promise<T>;
export function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, stepMs?: number): Promise<true>;
export async function waitFor<T>(a: Check<T> | string, b: number | (() => Promise<boolean> | boolean), c: string | number, d?: number): Promise<T> {
  const [check, timeoutMs, what, stepMs] =
    typeof a === 'string' ? [b as Check<T>, c as number, a, d ?? 100] : [a, b as number, c as string, d ?? 25];
  const bound = Math.max(timeoutMs, MIN_WAIT_BOUND_MS);
  const deadline = performance.now() + bound;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (e) {
      lastError = e;
    }
    if (performance.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${bound} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
