/**
 * The WeCom (企业微信) and DingTalk (钉钉) group-robot webhooks: a POST of
 * `{"msgtype":"text","text":{"content":"…"}}` to the robot's URL. Both answer HTTP 200 with
 * `{"errcode":0,"errmsg":"ok"}`; any other errcode is a failed attempt (retried by the outbox).
 * DingTalk's signed mode (加签) adds `timestamp` and `sign` = base64(HMAC-SHA256(secret,
 * "<timestamp>\n<secret>")) to the query. Targets follow the site's webhook policy (https and
 * public addresses only unless allowed).
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DeliveryError, type DeliveryResult, type OutboundMessage } from '../dispatch/index.ts';
import { guardedLookup, webhookUrlProblem, type WebhookPolicy } from '../dispatch/index.ts';

export type RobotKind = 'wecom' | 'dingtalk';

export interface RobotTarget {
  readonly url: string;
  /** DingTalk 加签 secret (`SEC…`). */
  readonly secret?: string | undefined;
  readonly allowHttp?: boolean | undefined;
  readonly allowPrivateTargets?: boolean | undefined;
}

const MAX_ANSWER = 4096;

/** The robot message for the text of a queued outbox body (`{ text: "…" }`). */
export function robotBody(body: string): string {
  const parsed = JSON.parse(body) as { text?: unknown };
  const content = typeof parsed.text === 'string' ? parsed.text : body;
  return JSON.stringify({ msgtype: 'text', text: { content } });
}

/** DingTalk's signed URL: `…&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256>`. */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const sign = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', sign);
  return u.toString();
}

export async function sendToRobot(
  kind: RobotKind,
  target: RobotTarget,
  message: OutboundMessage,
  signal: AbortSignal,
  now: number,
  defaults: WebhookPolicy,
): Promise<DeliveryResult> {
  const policy: WebhookPolicy = {
    allowHttp: target.allowHttp ?? defaults.allowHttp,
    allowPrivateTargets: target.allowPrivateTargets ?? defaults.allowPrivateTargets,
  };
  const problem = webhookUrlProblem(target.url, policy);
  if (problem) throw new DeliveryError(`${kind} robot: refused: ${problem}`, undefined, false);
  const url = kind === 'dingtalk' && target.secret ? dingtalkSignedUrl(target.url, target.secret, now) : target.url;
  const shown = new URL(target.url).host; // the URL carries the robot's key: never logged or journaled
  let res: { status: number; answer: string };
  try {
    res = await post(url, robotBody(message.body), signal, policy);
  } catch (err) {
    if (signal.aborted) throw new DeliveryError(`${kind} robot at ${shown}: ${signal.reason instanceof Error ? signal.reason.message : 'aborted'}`);
    throw new DeliveryError(`${kind} robot at ${shown}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (res.status < 200 || res.status >= 300) throw new DeliveryError(`${kind} robot at ${shown}: HTTP ${res.status}`, res.status);
  let errcode: unknown;
  let errmsg: unknown;
  try {
    ({ errcode, errmsg } = JSON.parse(res.answer) as { errcode?: unknown; errmsg?: unknown });
  } catch {
    throw new DeliveryError(`${kind} robot at ${shown}: the answer is not JSON`, res.status);
  }
  if (errcode !== 0) throw new DeliveryError(`${kind} robot at ${shown}: errcode ${String(errcode)} ${String(errmsg ?? '')}`.trim(), res.status);
  return { statusCode: res.status };
}

function post(url: string, body: string, signal: AbortSignal, policy: WebhookPolicy): Promise<{ status: number; answer: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(payload.length) }, signal, lookup: guardedLookup(policy) },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (kept < MAX_ANSWER) {
            chunks.push(c);
            kept += c.length;
          }
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, answer: Buffer.concat(chunks).subarray(0, MAX_ANSWER).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
