/** Register the contractor app's service worker (sw.ts), and forget its cache on logout. */
export function registerOfflineSupport(): void {
  if (!('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
}

export async function forgetOfflineData(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const regs = await navigator.serviceWorker.getRegistrations();
  await Promise.all(regs.map((r) => r.unregister()));
  if ('caches' in window) for (const k of await caches.keys()) await caches.delete(k);
}
