import { useEffect, useState } from 'preact/hooks';
import type { AlarmSnapshot, AlarmStore } from './alarm-store.ts';

/** The store's current snapshot; re-renders on every change. */
export function useAlarms(store: AlarmStore): AlarmSnapshot {
  const [snap, setSnap] = useState(store.current());
  useEffect(() => {
    setSnap(store.current());
    return store.subscribe(setSnap);
  }, [store]);
  return snap;
}
