/**
 * The container's HEALTHCHECK (Dockerfile): GET GATEWAY_HEALTH_URL (default
 * http://127.0.0.1:8080/api/health) with Node's fetch, since the slim image has no curl.
 *
 * Exit 0 (healthy) when the API answers in time: 200 (`ok` or `degraded`: a degraded gateway is
 * alive and must not be restarted for a lost device) or 401 (accounts are configured and the probe
 * holds no session: the request went through the router and the access hook, so the process and its
 * event loop serve). Anything else, a refused connection or no answer within the timeout: exit 1.
 * Deeper health (event-loop lag, the alarm database) is the systemd watchdog's job (sd-notify.ts).
 */
export type ProbeResult = { readonly healthy: boolean; readonly detail: string };

export async function probeHealth(url: string, timeoutMs: number): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    await res.body?.cancel();
    if (res.status === 200) return { healthy: true, detail: `${url}: 200` };
    if (res.status === 401) return { healthy: true, detail: `${url}: 401 (API answering; accounts configured)` };
    return { healthy: false, detail: `${url}: HTTP ${res.status}` };
  } catch (err) {
    return { healthy: false, detail: `${url}: ${(err as Error).message}` };
  }
}

if (import.meta.main) {
  const url = process.env.GATEWAY_HEALTH_URL ?? 'http://127.0.0.1:8080/api/health';
  const result = await probeHealth(url, Number(process.env.GATEWAY_HEALTH_TIMEOUT_MS ?? 8000));
  process.stdout.write(`${result.healthy ? 'healthy' : 'unhealthy'}: ${result.detail}\n`);
  process.exitCode = result.healthy ? 0 : 1;
}
