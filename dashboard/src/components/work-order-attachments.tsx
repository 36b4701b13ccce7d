import type { Translator } from '../i18n/i18n.ts';
import type { Attachment } from '../work-orders.ts';

/** Photos and the signature stored with an order, as thumbnails that open the full image. */
export function WorkOrderAttachments({ orderId, attachments, base, tr }: { orderId: number; attachments: readonly Attachment[]; base: string; tr: Translator }) {
  if (attachments.length === 0) return null;
  return (
    <div class="wo-attachments" data-testid="attachments">
      {attachments.map((a) => {
        const url = `${base}/${orderId}/attachments/${a.id}`;
        const label = `${a.kind === 'signature' ? tr.t('signature') : tr.t('photo')} · ${tr.time(a.at)}`;
        return (
          <a key={a.id} href={url} target="_blank" rel="noopener" class={`wo-attachment att-${a.kind}`} data-kind={a.kind} title={label}>
            <img src={url} alt={label} loading="lazy" />
            <span>{a.kind === 'signature' ? tr.t('signature') : tr.t('photo')}</span>
          </a>
        );
      })}
    </div>
  );
}
