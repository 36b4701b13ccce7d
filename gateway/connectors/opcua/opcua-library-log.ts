/**
 * node-opcua writes its warnings and errors with console.log (stdout). Route them into pino (or, for
 * the CLI, stderr) once per process so they carry our fields and never corrupt machine output.
 */
import { format } from 'node:util';
import { setErrorLogger, setWarningLogger } from 'node-opcua';
import type { Logger } from 'pino';

let installed = false;

export function routeOpcuaLibraryLogs(log: Logger): void {
  if (installed) return;
  installed = true;
  const lib = log.child({ lib: 'node-opcua' });
  setWarningLogger((...args: unknown[]) => lib.warn(clean(args)));
  setErrorLogger((...args: unknown[]) => lib.error(clean(args)));
}

export function routeOpcuaLibraryLogsToStderr(): void {
  if (installed) return;
  installed = true;
  setWarningLogger((...args: unknown[]) => process.stderr.write(`${clean(args)}\n`));
  setErrorLogger((...args: unknown[]) => process.stderr.write(`${clean(args)}\n`));
}

function clean(args: unknown[]): string {
  return format(...args).replace(/\s+/g, ' ').trim().slice(0, 2_000);
}
