import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { CloisonConfig } from '../config/app.config.js';

/**
 * Content Security Policy for everything the app serves: JSON today, a console served from
 * the same origin later. Only same-origin scripts, styles, images and fetches; never framed.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

/**
 * Who a rate limit counts against: the bearer token (hashed, so the limiter's memory never
 * holds a credential), else the client address.
 */
export function rateLimitKey(req: FastifyRequest): string {
  const auth = req.headers.authorization;
  const token = typeof auth === 'string' ? /^Bearer\s+(\S{1,512})\s*$/i.exec(auth)?.[1] : undefined;
  if (token) return `token:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
  return `ip:${req.ip}`;
}

/**
 * Security headers and rate limiting. Errors raised before a handler runs (unparsable or
 * oversized body, limit reached) reach HttpErrorFilter like any other, so they share its
 * JSON shape. CORS stays off: no Access-Control-Allow-Origin is ever sent.
 */
export async function applyHttpHardening(app: NestFastifyApplication, config: CloisonConfig): Promise<void> {
  await app.register(helmet as never, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
  if (config.rateLimitMax > 0) {
    await app.register(rateLimit as never, {
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      keyGenerator: rateLimitKey,
      // Evaluation is the voting platform's hot path (one call per voter request, read-only, served
      // from memory): a per-token budget sized for people would throttle an election.
      allowList: (req: FastifyRequest) => req.url.startsWith('/ofrep/'),
      errorResponseBuilder: (_req: FastifyRequest, ctx: { after: string; max: number }) =>
        Object.assign(new Error(`rate limit of ${ctx.max} requests exceeded, retry in ${ctx.after}`), { statusCode: 429 }),
    });
  }
}
