import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MemorySpool } from '../../../gateway/storage/memory-spool.ts';
import type { Spool } from '../../../gateway/storage/spool.ts';
import { SqliteSpool } from '../../../gateway/storage/sqlite-spool.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { spoolContract } from './spool-contract.ts';

const DEFAULT_MAX = 1024 * 1024;

spoolContract('MemorySpool', { make: (maxBytes = DEFAULT_MAX) => new MemorySpool({ maxBytes }) });

const dir = tempDir('fgw-spool-');
afterAll(() => dir.cleanup());
let n = 0;
const files = new Map<Spool, { file: string; maxBytes: number }>();
spoolContract('SqliteSpool', {
  make: (maxBytes = DEFAULT_MAX) => {
    const file = join(dir.path, `spool-${n++}.db`);
    const spool = new SqliteSpool(file, { maxBytes });
    files.set(spool, { file, maxBytes });
    return spool;
  },
  reopen: (spool) => {
    const where = files.get(spool);
    if (!where) throw new Error('unknown spool');
    spool.close();
    return new SqliteSpool(where.file, { maxBytes: where.maxBytes });
  },
});
