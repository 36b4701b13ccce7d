import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { spawnTracked } from '../support/child-processes.ts';
import { waitFor } from '../support/wait-for.ts';

/** A fake systemd notify socket (python3, test/e2e/notify-listener.py): the messages in arrival order. */
export class NotifyListener {
  readonly messages: string[] = [];
  readonly socketPath: string;
  private readonly child: ChildProcess;
  private constructor(socketPath: string, child: ChildProcess) {
    this.socketPath = socketPath;
    this.child = child;
  }

  static async start(dir: string): Promise<NotifyListener> {
    const socketPath = join(dir, 'notify.sock');
    const child = spawnTracked('python3', [join(import.meta.dirname, 'notify-listener.py'), socketPath]);
    const listener = new NotifyListener(socketPath, child);
    let ready = false;
    let errors = '';
    let buffered = '';
    child.stderr?.on('data', (c: Buffer) => (errors += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      buffered += c.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = JSON.parse(line) as string;
        if (m === 'listening') ready = true;
        // systemd-notify's barrier (it waits until systemd has read the message) is not a message of ours
        else if (m !== 'BARRIER=1') listener.messages.push(m);
      }
    });
    await waitFor(() => ready || child.exitCode !== null, 10_000, 'the notify listener');
    if (!ready) throw new Error(`notify listener failed: ${errors}`);
    return listener;
  }

  /** Messages (not the systemd-notify barrier) that contain `field`. */
  with(field: string): string[] {
    return this.messages.filter((m) => m.split('\n').includes(field));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}
