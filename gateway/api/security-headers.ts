/**
 * Security headers on every answer (@fastify/helmet): a Content-Security-Policy the dashboard passes
 * (its own scripts and styles only, no inline code, no framing), nosniff, no referrer, and HSTS when
 * the gateway is reached over HTTPS (its own TLS, or a TLS proxy with `secureCookies`). Over plain HTTP
 * neither HSTS nor upgrade-insecure-requests is sent: on a loopback demo they would break the page.
 */
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, RouteOptions } from 'fastify';

type Directives = Record<string, string[]>;

export const DASHBOARD_CSP: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
};

export interface SecurityHeaderOptions {
  /** Reached over HTTPS: send HSTS and upgrade-insecure-requests. */
  readonly https: boolean;
  readonly hstsMaxAgeMs: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The page carries its own inline styles (the printable uptime report, /docs): allowed by its CSP; scripts stay 'self' only. */
    inlineStyles?: boolean;
    /** Route-level options of @fastify/helmet (it reads them from here at request time). */
    helmet?: FastifyHelmetOptions;
  }
}

export async function installSecurityHeaders(app: FastifyInstance, options: SecurityHeaderOptions): Promise<void> {
  const csp = (directives: Directives): Directives => (options.https ? { ...directives, 'upgrade-insecure-requests': [] } : directives);
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: csp(DASHBOARD_CSP) },
    strictTransportSecurity: options.https ? { maxAge: Math.round(options.hstsMaxAgeMs / 1000), includeSubDomains: false } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onRoute', (route: RouteOptions) => {
    // (helmet reads route-level options from config.helmet at request time)
    if (route.config?.inlineStyles) {
      route.config = { ...route.config, helmet: { contentSecurityPolicy: { useDefaults: false, directives: csp({ ...DASHBOARD_CSP, 'style-src': ["'self'", "'unsafe-inline'"] }) } } };
    }
  });
}
