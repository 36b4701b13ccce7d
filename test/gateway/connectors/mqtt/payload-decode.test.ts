import { describe, expect, it } from 'vitest';
import { decodeJsonPayload } from '../../../../gateway/connectors/mqtt/payload-decode.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('decodeJsonPayload', () => {
  it('accepts a flat object and nesting up to the limit, refuses deeper nesting in objects and arrays', () => {
    expect(decodeJsonPayload(bytes('{"a":1,"b":"x","c":true,"d":null}'), 1000)).toEqual({ ok: true, value: { a: 1, b: 'x', c: true, d: null } });
    expect(decodeJsonPayload(bytes('{"a":{"b":{"c":1}}}'), 1000, 3).ok).toBe(true);
    expect(decodeJsonPayload(bytes('{"a":{"b":{"c":{}}}}'), 1000, 3)).toMatchObject({ ok: false, kind: 'too_deep' });
    expect(decodeJsonPayload(bytes('{"a":1,"z":[[[[1]]]]}'), 1000, 3)).toMatchObject({ ok: false, kind: 'too_deep' });
    expect(decodeJsonPayload(bytes('[1,[2,[3]]]'), 1000, 3).ok).toBe(true);
    // brackets inside strings are no nesting
    expect(decodeJsonPayload(bytes('{"a":"[[[[{{{{","b":{"c":1}}'), 1000, 3)).toEqual({ ok: true, value: { a: '[[[[{{{{', b: { c: 1 } } });
    expect(decodeJsonPayload(bytes('{"a":"[[[[","b":{"c":{"d":{}}}}'), 1000, 3)).toMatchObject({ ok: false, kind: 'too_deep' });
  });

  it('refuses too large, invalid UTF-8 and non-JSON payloads', () => {
    expect(decodeJsonPayload(bytes('{"a":1}'), 3)).toMatchObject({ ok: false, kind: 'payload_too_large' });
    expect(decodeJsonPayload(new Uint8Array([0x7b, 0xff, 0x7d]), 100)).toMatchObject({ ok: false, kind: 'not_utf8' });
    expect(decodeJsonPayload(bytes('{a:1}'), 100)).toMatchObject({ ok: false, kind: 'not_json' });
  });
});
