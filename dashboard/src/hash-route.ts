import { useEffect, useState } from 'preact/hooks';

/** The page from the URL hash: `#/device/pump-b1-1` → ['device', 'pump-b1-1']. */
export function useHashRoute(): string[] {
  const parse = (): string[] => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onChange = (): void => setRoute(parse());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
