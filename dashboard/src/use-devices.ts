import { useEffect, useState } from 'preact/hooks';
import { api, type DeviceChange, type DeviceView, type LiveSample } from './api-client.ts';
import type { LiveStream } from './live-stream.ts';

/** All devices, kept current from the live stream (samples and condition changes), reloaded after a reconnect. */
export function useDevices(live: LiveStream): DeviceView[] | null {
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  useEffect(() => {
    let alive = true;
    const load = (): void => {
      void api<{ devices: DeviceView[] }>('/api/devices').then((r) => alive && setDevices(r.devices));
    };
    load();
    const offLive = live.on((topic, data) => {
      if (topic === 'samples') setDevices((prev) => (prev ? applySamples(prev, data as LiveSample[]) : prev));
      else if (topic === 'device') {
        const change = data as DeviceChange;
        setDevices((prev) => (prev ? applyChange(prev, change) : prev));
        // zone conditions travel with the device: reload a panel whose condition changed
        void api<DeviceView>(`/api/devices/${encodeURIComponent(change.device)}`).then(
          (fresh) => alive && fresh.zones && setDevices((prev) => (prev ? prev.map((d) => (d.id === fresh.id ? fresh : d)) : prev)),
          () => undefined,
        );
      }
    });
    const offReconnect = live.onReconnect(load);
    return () => {
      alive = false;
      offLive();
      offReconnect();
    };
  }, [live]);
  return devices;
}

function applyChange(devices: DeviceView[], c: DeviceChange): DeviceView[] {
  return devices.map((d) =>
    d.id === c.device ? { ...d, online: c.online, comms: c.comms, condition: c.condition.condition, conditionReason: c.condition.reason } : d,
  );
}

function applySamples(devices: DeviceView[], samples: LiveSample[]): DeviceView[] {
  const byDevice = new Map<string, LiveSample[]>();
  for (const s of samples) byDevice.set(s.device, [...(byDevice.get(s.device) ?? []), s]);
  return devices.map((d) => {
    const mine = byDevice.get(d.id);
    if (!mine) return d;
    const points = { ...d.points };
    let lastGood = d.lastGood;
    for (const s of mine) {
      const prev = points[s.point];
      if (!prev) continue;
      points[s.point] = { ...prev, value: s.value, ts: s.ts, quality: s.quality, reason: s.reason ?? null };
      if (s.quality === 'good' && s.value !== null) lastGood = Math.max(lastGood ?? 0, s.ts);
    }
    // online and condition come from the gateway's `device` events, never guessed here
    return { ...d, points, lastGood };
  });
}
