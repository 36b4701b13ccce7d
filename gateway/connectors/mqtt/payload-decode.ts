/**
 * Turn raw MQTT payload bytes into a JSON value, refusing what a device should never send: more
 * than `maxBytes`, invalid UTF-8, not JSON, nesting deeper than `maxDepth`. Never throws.
 */

export type DecodeResult = { ok: true; value: unknown } | { ok: false; kind: string; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeJsonPayload(bytes: Uint8Array, maxBytes: number, maxDepth = 16): DecodeResult {
  if (bytes.length > maxBytes) {
    return { ok: false, kind: 'payload_too_large', reason: `payload of ${bytes.length} bytes exceeds ${maxBytes}` };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, kind: 'not_utf8', reason: 'payload is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, kind: 'not_json', reason: `payload is not JSON: ${(err as Error).message}` };
  }
  // nesting needs an opening bracket per level: a text with no more of them than maxDepth cannot
  // exceed it (the common flat payload), so the walk, and its arrays, are skipped
  if (openers(text) > maxDepth && depthExceeds(value, maxDepth)) {
    return { ok: false, kind: 'too_deep', reason: `payload nests deeper than ${maxDepth} levels` };
  }
  return { ok: true, value };
}

/**
 * A plain-value payload (`format: value`): one number, boolean or word, as `{ value }` so a
 * mapping reads it at path `value`. JSON scalars keep their type (`12.5`, `true`, `"fire"`); any
 * other text is taken as a string (`ON`, `fire`); an object or array is refused.
 */
export function decodeValuePayload(bytes: Uint8Array, maxBytes: number): DecodeResult {
  if (bytes.length > maxBytes) {
    return { ok: false, kind: 'payload_too_large', reason: `payload of ${bytes.length} bytes exceeds ${maxBytes}` };
  }
  let text: string;
  try {
    text = utf8.decode(bytes).trim();
  } catch {
    return { ok: false, kind: 'not_utf8', reason: 'payload is not valid UTF-8' };
  }
  if (text === '') return { ok: false, kind: 'empty_payload', reason: 'payload is empty' };
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // not JSON: a bare word such as ON or fire
  }
  if (typeof value === 'object') return { ok: false, kind: 'not_plain_value', reason: `payload is ${value === null ? 'null' : 'a JSON object or array'}, not a plain value` };
  return { ok: true, value: { value } };
}

/** `{` and `[` in the text (inside strings too: an upper bound of the nesting). */
function openers(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) n++;
  }
  return n;
}

function depthExceeds(root: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) return true;
    // only objects can nest deeper: numbers and strings are not pushed (most of a payload)
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
