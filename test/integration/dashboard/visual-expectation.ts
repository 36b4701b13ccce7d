import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { SCREENSHOT_DIR } from './browser.ts';

export const EXPECTATION_DIR = 'test/integration/dashboard/expectations';

/**
 * Compare an element's screenshot with its committed expectation (`expectations/NAME.png`): the
 * share of pixels whose colour differs by more than 32 in any channel (anti-aliasing and font
 * hinting stay under that; a moved, missing or recoloured element does not). A different size counts
 * as all pixels differing. Run with UPDATE_EXPECTATIONS=1 to write the expectation after a deliberate
 * change (and commit it); a missing expectation is a failure, never a silent pass. `mask` covers parts
 * that differ from run to run by nature (a clock time) with one colour in both pictures.
 */
export async function differenceFromExpectation(page: Page, element: Locator, name: string, options: { mask?: Locator[] } = {}): Promise<number> {
  const file = `${EXPECTATION_DIR}/${name}.png`;
  const actual = await element.screenshot({ animations: 'disabled', caret: 'hide', ...(options.mask ? { mask: options.mask, maskColor: '#ff00ff' } : {}) });
  if (process.env.UPDATE_EXPECTATIONS === '1') writeFileSync(file, actual);
  // the picture taken, beside the page screenshots, to compare by eye when the check fails
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(`${SCREENSHOT_DIR}/${name}.actual.png`, actual);
  if (!existsSync(file)) throw new Error(`${file}: no expectation; run with UPDATE_EXPECTATIONS=1 to write it, look at it, and commit it`);
  const expected = readFileSync(file);
  // decoded in the page (img-src allows data: URLs), compared pixel by pixel
  return page.evaluate(
    async ([a, b]) => {
      const load = (src: string): Promise<HTMLImageElement> =>
        new Promise((resolve, reject) => {
          const img = new Image();
          img.onload = () => resolve(img);
          img.onerror = () => reject(new Error('cannot decode a screenshot'));
          img.src = src;
        });
      const [x, y] = await Promise.all([load(a), load(b)]);
      if (x.naturalWidth !== y.naturalWidth || x.naturalHeight !== y.naturalHeight) return 1;
      const pixels = (img: HTMLImageElement): Uint8ClampedArray => {
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d') as CanvasRenderingContext2D;
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, c.width, c.height).data;
      };
      const p = pixels(x);
      const q = pixels(y);
      let differing = 0;
      for (let i = 0; i < p.length; i += 4) {
        if (Math.abs((p[i] ?? 0) - (q[i] ?? 0)) > 32 || Math.abs((p[i + 1] ?? 0) - (q[i + 1] ?? 0)) > 32 || Math.abs((p[i + 2] ?? 0) - (q[i + 2] ?? 0)) > 32) differing++;
      }
      return differing / (p.length / 4);
    },
    [`data:image/png;base64,${actual.toString('base64')}`, `data:image/png;base64,${expected.toString('base64')}`] as const,
  );
}
