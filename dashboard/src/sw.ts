/**
 * The service worker of the contractor app: a contractor in a basement or a lift shaft can still
 * read the orders assigned to them. Network first, always; the cache only answers when the network
 * does not. Only the app's own files and the contractor's reads are cached (never the event stream,
 * never an operator's data, never a change).
 */
// (the project compiles against the DOM library; these are the few worker types used here)
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(r: Promise<Response>): void;
}
interface MessageEventOf extends ExtendableEvent {
  readonly data: unknown;
}
interface WorkerScope {
  readonly location: Location;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'message', fn: (e: MessageEventOf) => void): void;
}
const self = globalThis as unknown as WorkerScope;
export {};

const CACHE = 'fgw-contractor-v1';
const SHELL = ['/', '/index.html', '/app.js', '/styles.css', '/uPlot.min.css'];

function cacheable(url: URL, request: Request): boolean {
  if (request.method !== 'GET' || url.origin !== self.location.origin) return false;
  if (url.pathname.startsWith('/api/contractor/')) return true;
  if (url.pathname === '/api/site' || url.pathname === '/api/auth/me') return true;
  return SHELL.includes(url.pathname);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!cacheable(url, event.request)) return;
  event.respondWith(
    fetch(event.request).then(
      (res) => {
        if (res.ok) {
          const copy = res.clone();
          void caches.open(CACHE).then((c) => c.put(event.request, copy));
        }
        return res;
      },
      async (err: unknown) => {
        const hit = await caches.match(event.request, { ignoreVary: true });
        if (hit) return hit;
        throw err;
      },
    ),
  );
});

self.addEventListener('message', (event) => {
  // logout: forget what was cached for this contractor
  if (event.data === 'clear') event.waitUntil(caches.delete(CACHE));
});
