/**
 * What a Sparkplug host knows of each vendor edge node it listens to (spec 3.0, host application
 * behaviour): the session of its last NBIRTH (bdSeq, the seq of its last message, metric aliases of
 * the node and of each device born since), and what each message means against it. Pure: the
 * connector turns the outcome into samples, comms-lost marks and rebirth requests.
 *
 * - NBIRTH starts a session (its `bdSeq` metric names it); an NDEATH whose bdSeq is not the
 *   session's is a will of an earlier connection and is ignored.
 * - Every other message of the node must carry the next seq (0–255, wrapping); a gap asks for a
 *   rebirth (its values are still taken: they are what the node sent).
 * - A data message from a node or device with no birth seen, or naming an alias its birth did not
 *   declare, asks for a rebirth and is dropped (its metrics cannot be named).
 */
import { toNumber, type DecodedMetric, type DecodedPayload } from '../../sparkplug/sparkplug-codec.ts';

export interface NamedMetric extends DecodedMetric {
  readonly name: string;
}

export interface SessionOutcome {
  /** Metrics of the node (no `device`) or of one device, named; `birth`: the full set of a birth. */
  readonly metrics?: { readonly device?: string; readonly birth: boolean; readonly list: readonly NamedMetric[]; readonly ts: number | undefined };
  /** The node (no `device`) or one device died. */
  readonly death?: { readonly device?: string; readonly why: string };
  /** Ask the node for a rebirth, and why. */
  readonly rebirth?: string;
  /** The message was ignored, and why. */
  readonly ignored?: string;
}

interface NodeSession {
  readonly bdSeq: number | undefined;
  seq: number | undefined;
  readonly aliases: Map<number, string>;
  readonly devices: Map<string, Map<number, string>>;
}

const aliasesOf = (metrics: readonly DecodedMetric[]): Map<number, string> => {
  const out = new Map<number, string>();
  for (const m of metrics) {
    const alias = toNumber(m.alias);
    if (alias !== undefined && m.name !== undefined) out.set(alias, m.name);
  }
  return out;
};

export class EdgeNodeSessions {
  private readonly nodes = new Map<string, NodeSession>();

  /** Forget every session (the host's own connection ended: births must be asked for again). */
  clear(): void {
    this.nodes.clear();
  }

  isBorn(node: string): boolean {
    return this.nodes.has(node);
  }

  accept(type: string, node: string, device: string | undefined, payload: DecodedPayload): SessionOutcome {
    const metrics = payload.metrics ?? [];
    const ts = toNumber(payload.timestamp);
    const seq = toNumber(payload.seq);
    if (type === 'NBIRTH') {
      const bdSeq = toNumber(metrics.find((m) => m.name === 'bdSeq')?.value);
      this.nodes.set(node, { bdSeq, seq, aliases: aliasesOf(metrics), devices: new Map() });
      return { metrics: { birth: true, list: named(metrics), ts } };
    }
    if (type === 'NDEATH') {
      const bdSeq = toNumber(metrics.find((m) => m.name === 'bdSeq')?.value);
      const session = this.nodes.get(node);
      if (session?.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== session.bdSeq) {
        return { ignored: `NDEATH of an earlier session (bdSeq ${bdSeq}; the session's is ${session.bdSeq})` };
      }
      this.nodes.delete(node);
      return { death: { why: `edge node ${node} died (NDEATH)` } };
    }
    if (!['DBIRTH', 'DDEATH', 'NDATA', 'DDATA'].includes(type)) return { ignored: `${type} is not for a host` };
    const session = this.nodes.get(node);
    if (!session) return { rebirth: `${type} from edge node ${node} before its NBIRTH`, ignored: 'no session' };
    const gap = this.checkSeq(session, seq);
    if (type === 'DBIRTH') {
      if (device === undefined) return { ignored: 'DBIRTH without a device id' };
      session.devices.set(device, aliasesOf(metrics));
      return { metrics: { device, birth: true, list: named(metrics), ts }, ...gap };
    }
    if (type === 'DDEATH') {
      if (device === undefined) return { ignored: 'DDEATH without a device id' };
      session.devices.delete(device);
      return { death: { device, why: `device ${device} of edge node ${node} died (DDEATH)` }, ...gap };
    }
    const aliases = type === 'NDATA' ? session.aliases : device === undefined ? undefined : session.devices.get(device);
    if (!aliases) return { rebirth: `DDATA from device ${device ?? '?'} of edge node ${node} before its DBIRTH`, ignored: 'no device birth' };
    const list: NamedMetric[] = [];
    for (const m of metrics) {
      const name = m.name ?? aliases.get(toNumber(m.alias) ?? -1);
      if (name === undefined) return { rebirth: `alias ${String(toNumber(m.alias))} not declared in the birth of ${device ?? node}`, ignored: 'unknown alias' };
      list.push({ ...m, name });
    }
    return { metrics: { ...(type === 'DDATA' && device !== undefined ? { device } : {}), birth: false, list, ts }, ...gap };
  }

  /** The seq after the session's last, or a rebirth request naming the gap. */
  private checkSeq(session: NodeSession, seq: number | undefined): { rebirth?: string } {
    const last = session.seq;
    session.seq = seq;
    if (last === undefined || seq === undefined) return {};
    const expected = (last + 1) % 256;
    return seq === expected ? {} : { rebirth: `seq gap: expected ${expected}, got ${seq}` };
  }
}

function named(metrics: readonly DecodedMetric[]): NamedMetric[] {
  return metrics.flatMap((m) => (m.name === undefined ? [] : [{ ...m, name: m.name }]));
}
