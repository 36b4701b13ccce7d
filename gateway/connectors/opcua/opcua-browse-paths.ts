/**
 * Points bound by browse path (`/Objects/2:Plant/2:Pump1/2:Pressure`) get their node id from the
 * server on every connect (TranslateBrowsePathsToNodeIds, in one call), so a server that renumbers
 * its nodes on restart is followed. A path the server cannot resolve is reported with its status.
 */
import { makeBrowsePath, type ClientSession } from 'node-opcua';
import type { MonitoredPoint } from './opcua-bindings.ts';

/** Resolve every browse-path point in place; returns the points whose path did not resolve, with why. */
export async function resolveBrowsePaths(session: ClientSession, points: readonly MonitoredPoint[]): Promise<{ point: MonitoredPoint; status: string }[]> {
  const byPath = points.filter((p) => p.browsePath !== undefined);
  if (byPath.length === 0) return [];
  const unresolved: { point: MonitoredPoint; status: string }[] = [];
  const paths: ReturnType<typeof makeBrowsePath>[] = [];
  const asked: MonitoredPoint[] = [];
  for (const p of byPath) {
    try {
      paths.push(makeBrowsePath('RootFolder', p.browsePath as string));
      asked.push(p);
    } catch (err) {
      unresolved.push({ point: p, status: `unreadable browse path: ${(err as Error).message}` });
    }
  }
  const results = await session.translateBrowsePath(paths);
  results.forEach((r, i) => {
    const p = asked[i] as MonitoredPoint;
    const target = r.targets?.[0]?.targetId;
    if (r.statusCode.isGood() && target) p.nodeId = target.toString();
    else unresolved.push({ point: p, status: r.statusCode.isGood() ? 'BadNoMatch' : r.statusCode.name });
  });
  return unresolved;
}
