import { execFileSync } from 'node:child_process';

/** The browser tests need the built dashboard, as `npm start` builds it before serving. */
export default function setup(): void {
  execFileSync(process.execPath, ['dashboard/build.ts'], { stdio: 'inherit' });
}
