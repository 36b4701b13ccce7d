import type { PointView } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';

export function formatValue(p: PointView, tr: Translator): string {
  if (p.value === null) return '—';
  if (typeof p.value === 'boolean') return p.value ? tr.t('yes') : tr.t('no');
  if (typeof p.value === 'number') return Number.isInteger(p.value) ? String(p.value) : p.value.toFixed(2);
  return p.value;
}

export function ValueText({ point, tr }: { point: PointView; tr: Translator }) {
  return (
    <span class={`value q-${point.quality ?? 'none'}`}>
      {formatValue(point, tr)}
      {point.unit && point.value !== null ? <span class="unit"> {point.unit}</span> : null}
    </span>
  );
}
