import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { prettyStream, wantsPrettyLog } from '../../../gateway/log/logger.ts';

describe('log format', () => {
  it('is pretty on a terminal and JSON on a pipe; LOG_FORMAT overrides both', () => {
    expect(wantsPrettyLog({}, true)).toBe(true);
    expect(wantsPrettyLog({}, false)).toBe(false);
    expect(wantsPrettyLog({ LOG_FORMAT: 'json' }, true)).toBe(false);
    expect(wantsPrettyLog({ LOG_FORMAT: 'pretty' }, false)).toBe(true);
  });

  it('the pretty stream writes a readable line, not JSON', () => {
    let text = '';
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((text += chunk.toString()), done()) });
    const log = pino({ base: { pid: 1 } }, prettyStream(sink));
    log.info({ api: 'http://127.0.0.1:8080' }, 'gateway running');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: gateway running \{"api":"http:\/\/127\.0\.0\.1:8080"\}\n$/);
  });
});
