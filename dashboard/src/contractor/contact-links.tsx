import type { Contact, Site } from '../api-client.ts';
import type { Translator } from '../i18n/i18n.ts';

/** The building's contact, else the site's (site file: site.contact, buildings[].contact). */
export function contactFor(site: Site, building: string | undefined): Contact | undefined {
  return site.buildings.find((b) => b.id === building)?.contact ?? site.contact;
}

/** A map at the entrance (its position), else a search for the address; undefined when neither is known. */
export function mapUrl(c: Contact): string | undefined {
  if (c.geo) return `https://www.openstreetmap.org/?mlat=${c.geo.lat}&mlon=${c.geo.lon}#map=18/${c.geo.lat}/${c.geo.lon}`;
  if (c.address) return `https://www.openstreetmap.org/search?query=${encodeURIComponent(c.address)}`;
  return undefined;
}

/** Call and navigate buttons for the place of an order (nothing when the site file has no contact). */
export function ContactLinks({ site, building, tr }: { site: Site; building: string | undefined; tr: Translator }) {
  const c = contactFor(site, building);
  if (!c) return null;
  const map = mapUrl(c);
  return (
    <div class="contact-links" data-testid="contact-links">
      {c.phone ? (
        <a class="big-link" href={`tel:${c.phone.replace(/[^0-9+]/g, '')}`} data-testid="call-link">
          {tr.t('callSite')} {c.name ? `· ${c.name}` : ''} <span class="nowrap">{c.phone}</span>
        </a>
      ) : null}
      {map ? (
        <a class="big-link" href={map} target="_blank" rel="noopener noreferrer" data-testid="map-link">
          {tr.t('openMap')}
          {c.address ? ` · ${c.address}` : ''}
        </a>
      ) : null}
    </div>
  );
}
