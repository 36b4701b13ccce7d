import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../auth/accounts.ts';
import { ROLES } from '../../auth/account-schema.ts';
import { userOf } from '../access-control.ts';
import { ACCESS } from '../route-access.ts';
import { ApiError } from '../api-error.ts';

const LANGUAGES = ['zh-CN', 'en'] as const;

const me = z.object({
  username: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  contractor: z.string().nullable(),
  language: z.enum(LANGUAGES).nullable(),
  open: z.boolean(),
});

export function authRoutes(accounts: Accounts, cookie: { readonly name: string; readonly secure: boolean }): FastifyPluginAsyncZod {
  const view = (u: ReturnType<typeof userOf>): z.output<typeof me> => {
    const language = accounts.language(u.username);
    return {
      username: u.username,
      name: u.name,
      role: u.role,
      contractor: u.contractor ?? null,
      language: language === 'zh-CN' || language === 'en' ? language : null,
      open: accounts.open,
    };
  };
  return async (app) => {
    app.post(
      '/api/auth/login',
      {
        config: { access: ACCESS.public, audit: 'self' },
        schema: {
          summary: 'Log in; sets an HttpOnly, SameSite session cookie',
          tags: ['auth'],
          body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
          response: { 200: me },
        },
      },
      async (req, reply) => {
        const result = await accounts.login(req.body.username, req.body.password, req.ip);
        if (!result.ok && result.reason === 'rate_limited') {
          reply.header('retry-after', Math.ceil(result.retryAfterMs / 1000));
          throw new ApiError('TOO_MANY_REQUESTS', `too many failed logins for ${req.body.username}; try again in ${Math.ceil(result.retryAfterMs / 1000)} s`);
        }
        if (!result.ok) throw new ApiError('UNAUTHORIZED', 'wrong username or password');
        reply.setCookie(cookie.name, result.sessionId, {
          httpOnly: true,
          sameSite: 'strict',
          secure: cookie.secure,
          path: '/',
          expires: new Date(result.expiresAt),
        });
        return view(result.user);
      },
    );

    app.post(
      '/api/auth/logout',
      { config: { access: ACCESS.public, audit: 'self' }, schema: { summary: 'Log out', tags: ['auth'], response: { 200: z.object({ ok: z.boolean() }) } } },
      async (req, reply) => {
        const sid = req.cookies[cookie.name];
        if (sid) accounts.logout(sid, req.ip);
        reply.clearCookie(cookie.name, { path: '/', secure: cookie.secure, httpOnly: true, sameSite: 'strict' });
        return { ok: true };
      },
    );

    app.get('/api/auth/me', { config: { access: ACCESS.anyUser }, schema: { summary: 'The logged-in user', tags: ['auth'], response: { 200: me } } }, async (req) => view(userOf(req)));

    app.put(
      '/api/auth/me/language',
      {
        config: { access: ACCESS.anyUser },
        schema: {
          summary: 'Remember the language of the logged-in user',
          tags: ['auth'],
          body: z.object({ language: z.enum(LANGUAGES) }),
          response: { 200: me },
        },
      },
      async (req) => {
        const user = userOf(req);
        accounts.setLanguage(user.username, req.body.language);
        return view(user);
      },
    );
  };
}
