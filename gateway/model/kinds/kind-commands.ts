/** The commands of a kind, and the check every protocol's binding runs on the commands it maps. */
import type { CommandDef } from './kind-descriptor.ts';
import { kindDescriptor, type DeviceKind } from './index.ts';

export function commandsOf(kind: DeviceKind): readonly CommandDef[] {
  return kindDescriptor(kind).commands ?? [];
}

export function commandOf(kind: DeviceKind, name: string): CommandDef | undefined {
  return commandsOf(kind).find((c) => c.name === name);
}

/** Names a binding maps that the kind has no command of, each with a message naming the ones it has. */
export function unknownCommands(kind: DeviceKind, names: readonly string[]): { name: string; message: string }[] {
  const known = commandsOf(kind).map((c) => c.name);
  return names
    .filter((n) => !known.includes(n))
    .map((name) => ({ name, message: `a ${kind} has no command "${name}" (its commands: ${known.length > 0 ? known.join(', ') : 'none'})` }));
}
