/**
 * Code the dashboard bench runs inside the page (passed to page.evaluate; no imports): watch the
 * alarm table and note, for each row added or changed, the alarm's `updatedAt` and the time of the
 * next animation frame after the change (wall clock, shared with the gateway on the same machine).
 */

export interface DrawnRow {
  readonly id: string;
  readonly updated: number;
  readonly drawn: number;
}

declare global {
  interface Window {
    __drawn?: DrawnRow[];
  }
}

export function installDrawProbe(): void {
  const table = document.querySelector('[data-testid=alarm-table]');
  if (!table) throw new Error('no alarm table in the page');
  const drawn: DrawnRow[] = [];
  window.__drawn = drawn;
  const observer = new MutationObserver((mutations) => {
    const rows = new Set<HTMLElement>();
    for (const m of mutations) {
      if (m.type === 'attributes' && m.target instanceof HTMLElement && m.target.matches('tr[data-id]')) rows.add(m.target);
      for (const n of m.addedNodes) if (n instanceof HTMLElement && n.matches('tr[data-id]')) rows.add(n);
    }
    if (rows.size === 0) return;
    const seen = [...rows].map((r) => ({ id: r.dataset.id ?? '', updated: Number(r.dataset.updated) }));
    requestAnimationFrame(() => {
      const at = performance.timeOrigin + performance.now();
      for (const s of seen) drawn.push({ ...s, drawn: at });
    });
  });
  observer.observe(table, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-updated'] });
}
