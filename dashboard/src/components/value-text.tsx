import type { PointView } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';

/** A value as read; nothing read is "—" (with its quality and reason beside it), never a default. */
export function formatValue(p: PointView, tr: Translator, kind?: string, point?: string): string {
  if (p.value === null) return '—';
  if (typeof p.value === 'boolean') return p.value ? tr.t('yes') : tr.t('no');
  if (typeof p.value === 'number') {
    if (!Number.isInteger(p.value)) return p.value.toFixed(2);
    // coded numbers (an elevator's fault_code) have value labels in the kind descriptor
    return (kind !== undefined && point !== undefined ? tr.valueLabel(kind, point, String(p.value)) : undefined) ?? String(p.value);
  }
  return (kind !== undefined && point !== undefined ? tr.valueLabel(kind, point, p.value) : undefined) ?? p.value;
}

export function ValueText({ point, tr, kind, name }: { point: PointView; tr: Translator; kind?: string; name?: string }) {
  return (
    <span class={`value q-${point.quality ?? 'none'}`} title={point.reason ?? undefined}>
      {formatValue(point, tr, kind, name)}
      {point.unit && point.value !== null ? <span class="unit"> {point.unit}</span> : null}
    </span>
  );
}
