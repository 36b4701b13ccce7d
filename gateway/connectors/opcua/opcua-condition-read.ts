/**
 * After a ConditionRefresh, an open condition the server did not replay is, by the standard,
 * inactive and acknowledged (Retain false). Some servers drop Retain on an acknowledge while the
 * condition is still active (node-opcua does), so before such a condition is cleared its
 * `ActiveState/Id` is read where the server exposes the condition node: only a condition that reads
 * inactive, or whose node the server does not expose, counts as ended. A read that gets no answer
 * keeps it active: an unanswered question clears nothing.
 */
import { AttributeIds, makeBrowsePath, type ClientSession } from 'node-opcua';

/** The conditions among `conditionIds` that are still active (or whose state could not be read). */
export async function stillActive(session: ClientSession, conditionIds: readonly string[]): Promise<string[]> {
  if (conditionIds.length === 0) return [];
  try {
    const paths = await session.translateBrowsePath(conditionIds.map((id) => makeBrowsePath(id, '.ActiveState.Id')));
    const found = paths.map((p, i) => ({ id: conditionIds[i] as string, target: p.statusCode.isGood() ? p.targets?.[0]?.targetId : undefined }));
    const readable = found.filter((f) => f.target !== undefined);
    const values = readable.length > 0 ? await session.read(readable.map((f) => ({ nodeId: f.target as NonNullable<typeof f.target>, attributeId: AttributeIds.Value }))) : [];
    // not exposed (no ActiveState/Id to resolve): the server's refresh is all we know, and it did not list it
    return readable.filter((_f, i) => values[i]?.value?.value !== false).map((f) => f.id);
  } catch {
    return [...conditionIds];
  }
}
