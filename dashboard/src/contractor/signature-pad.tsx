import { useEffect, useRef, useState } from 'preact/hooks';
import type { Translator } from '../i18n/i18n.ts';

/** Draw a signature with a finger or a mouse; `onChange` gets a PNG data URL, or null when cleared. */
export function SignaturePad({ tr, onChange }: { tr: Translator; onChange: (png: string | null) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    // drawn in device pixels for a sharp line; a white background so the PNG reads on any theme
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(c.clientWidth * ratio);
    c.height = Math.round(c.clientHeight * ratio);
    ctx.scale(ratio, ratio);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.clientWidth, c.clientHeight);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
    let drawing = false;
    const at = (e: PointerEvent): [number, number] => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    const down = (e: PointerEvent): void => {
      drawing = true;
      c.setPointerCapture(e.pointerId);
      const [x, y] = at(e);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 0.01, y);
      ctx.stroke();
    };
    const move = (e: PointerEvent): void => {
      if (!drawing) return;
      const [x, y] = at(e);
      ctx.lineTo(x, y);
      ctx.stroke();
    };
    const up = (): void => {
      if (!drawing) return;
      drawing = false;
      setEmpty(false);
      onChange(c.toDataURL('image/png'));
    };
    c.addEventListener('pointerdown', down);
    c.addEventListener('pointermove', move);
    c.addEventListener('pointerup', up);
    c.addEventListener('pointercancel', up);
    return () => {
      c.removeEventListener('pointerdown', down);
      c.removeEventListener('pointermove', move);
      c.removeEventListener('pointerup', up);
      c.removeEventListener('pointercancel', up);
    };
  }, []);

  const clear = (): void => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    setEmpty(true);
    onChange(null);
  };

  return (
    <div class="signature">
      <span class="sig-label">{tr.t('signatureHint')}</span>
      <canvas ref={canvas} class="sig-canvas" data-testid="signature-pad" role="img" aria-label={tr.t('signatureHint')} />
      <button type="button" class="small" onClick={clear} disabled={empty}>
        {tr.t('signatureClear')}
      </button>
    </div>
  );
}
