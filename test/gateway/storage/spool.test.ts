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
const files = new Map<Spool, { file: string; maxBytes: number; memoryBytes: number | undefined }>();
// the newest lines in memory (the default), none (every take reads the file), and a bound so small
// that every take crosses from the file into memory
for (const [name, memoryBytes] of [['SqliteSpool', undefined], ['SqliteSpool, lines read from the file', 0], ['SqliteSpool, 100 bytes of lines in memory', 100]] as const) {
  spoolContract(name, {
    make: (maxBytes = DEFAULT_MAX) => {
      const file = join(dir.path, `spool-${n++}.db`);
      const spool = new SqliteSpool(file, { maxBytes, ...(memoryBytes === undefined ? {} : { memoryBytes }) });
      files.set(spool, { file, maxBytes, memoryBytes });
      return spool;
    },
    reopen: (spool) => {
      const where = files.get(spool);
      if (!where) throw new Error('unknown spool');
      spool.close();
      return new SqliteSpool(where.file, { maxBytes: where.maxBytes, ...(where.memoryBytes === undefined ? {} : { memoryBytes: where.memoryBytes }) });
    },
  });
}
