import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me, Site } from './api-client.ts';
import type { Translator } from './i18n/i18n.ts';
import type { LiveStream } from './live-stream.ts';

export interface AppContext {
  readonly me: Me;
  readonly site: Site;
  readonly tr: Translator;
  readonly live: LiveStream;
}

export const AppCtx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const ctx = useContext(AppCtx);
  if (!ctx) throw new Error('useApp outside the app');
  return ctx;
}
