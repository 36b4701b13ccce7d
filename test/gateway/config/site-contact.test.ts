import { describe, expect, it } from 'vitest';
import { buildingViews } from '../../../gateway/config/floor-plans.ts';
import { loadConfigFile } from '../../../gateway/config/load-config.ts';
import { contactSchema } from '../../../gateway/config/site-schema.ts';

describe('site and building contacts (the contractor app’s call and map links)', () => {
  it('the demo site has a reception; building 2 its own gate, carried into the building views', async () => {
    const config = await loadConfigFile('config/demo-site.yaml');
    expect(config.site.contact).toMatchObject({ phone: '+86 21 5555 0100', geo: { lat: 31.2304, lon: 121.4737 } });
    const views = buildingViews(config);
    expect(views.find((b) => b.id === 'b2')?.contact).toMatchObject({ phone: '+86 21 5555 0102' });
    expect(views.find((b) => b.id === 'b1')?.contact).toBeUndefined();
  });

  it('refuses a phone number that is not one and a position off the globe, naming the field', () => {
    const bad = contactSchema.safeParse({ phone: 'call me maybe', geo: { lat: 91, lon: 0 } });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(paths).toEqual(expect.arrayContaining([expect.stringMatching(/^phone: expected a phone number/), expect.stringMatching(/^geo\.lat:/)]));
  });
});
