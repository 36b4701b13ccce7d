import type { Page } from 'playwright-core';

/**
 * Interface text of the page that is Latin only (no Chinese character) while the page is in zh-CN:
 * every visible text node and every aria-label / title / placeholder, minus what is data — device,
 * connector and account ids (`dataWords`), numbers, units, priorities (P1), times — and the language
 * switch's own "English".
 */
export async function latinOnlyText(page: Page, dataWords: readonly string[]): Promise<string[]> {
  return page.evaluate((words) => {
    const data = new Set(words);
    const UNIT = /^(%|kPa|bar|Pa|°C|V|A|Hz|mm\/s|m\/s|m³\/h|L\/min|s|ms|min|h|d|kWh|kW|%\/m|dB|mm|m|m3|m³)$/;
    const isData = (text: string): boolean =>
      text
        .split(/[\s·,:;()/→—–|#×=]+/)
        .filter((w) => w !== '')
        .every((w) => data.has(w) || UNIT.test(w) || /^[\d.,:%+\-#/]+$/.test(w) || /^P[1-4]$/.test(w) || !/[A-Za-z]/.test(w) || /^[A-Z]?\d+[A-Za-z]?$/.test(w));
    const found = new Set<string>();
    const consider = (text: string | null | undefined, where: string): void => {
      const t = (text ?? '').replace(/\s+/g, ' ').trim();
      if (t === '' || /[\u3400-\u9fff\uff00-\uffef]/.test(t) || !/[A-Za-z]/.test(t) || t === 'English' || isData(t)) return;
      found.add(`${where}: ${t}`);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('script, style, [hidden], option:not(:checked)')) continue;
      if (el.closest('[data-data], .uplot .u-value')) continue; // marked as data by the page (raw values, ids)
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      consider(n.textContent, el.tagName.toLowerCase());
    }
    for (const el of Array.from(document.body.querySelectorAll('[aria-label], [title], [placeholder]'))) {
      for (const a of ['aria-label', 'title', 'placeholder']) consider(el.getAttribute(a), `@${a}`);
    }
    consider(document.title, 'title');
    return [...found].sort();
  }, dataWords);
}
