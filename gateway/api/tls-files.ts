/** The API's certificate and key (`api.tls`), read and checked at start with errors naming the setting. */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export function readTlsFiles(files: { readonly cert: string; readonly key: string }): { cert: Buffer; key: Buffer } {
  const read = (setting: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${setting}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const pair = { cert: read('api.tls.cert', files.cert), key: read('api.tls.key', files.key) };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new Error(`api.tls: ${files.cert} and ${files.key} are not a usable certificate and key: ${(err as Error).message}`);
  }
  return pair;
}
