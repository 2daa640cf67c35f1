import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { sha256Of } from '#audit-format';
import type { CloisonConfig } from '#config';

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

/** Routes this limit never applies to: evaluation has its own (serveOfrepDirectly). */
const UNLIMITED_PREFIX = '/ofrep/';

/**
 * Who a rate limit counts against: the bearer token (hashed, so the limiter's memory never
 * holds a credential), else the client address.
 */
export function rateLimitKey(req: FastifyRequest): string {
  const auth = req.headers.authorization;
  const token = typeof auth === 'string' ? /^Bearer\s+(\S{1,512})\s*$/i.exec(auth)?.[1] : undefined;
  if (token) return `token:${sha256Of(token, 'base64url').slice(0, 22)}`;
  return `ip:${req.ip}`;
}

const HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
  frameguard: { action: 'deny' },
} as const;

/**
 * The headers helmet sets with HELMET_OPTIONS, worked out once at boot. They never vary, and
 * running helmet's middleware per request (as @fastify/helmet does) re-parses the CSP directives
 * on every one; a recorder stands in for the response here.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(HELMET_OPTIONS)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure || !headers['content-security-policy'] || !headers['strict-transport-security']) {
    throw new Error(`security headers could not be worked out${failure ? `: ${String(failure)}` : ''}`);
  }
  return Object.freeze(headers);
}

/**
 * Security headers and rate limiting. Errors raised before a handler runs (unparsable or
 * oversized body, limit reached) reach HttpErrorFilter like any other, so they share its
 * JSON shape. CORS stays off: no Access-Control-Allow-Origin is ever sent.
 */
export async function applyHttpHardening(app: NestFastifyApplication, config: CloisonConfig): Promise<void> {
  const headers = securityHeaders();
  // On every request, 404s and errors raised before a handler included; a route may override one.
  // Named: the evaluation fast path sets the same headers and checks this hook is the one it knows.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', function securityHeaders(_req, reply, done) {
      void reply.headers(headers);
      done();
    });
  if (config.rateLimitMax > 0) {
    // Evaluation is the voting platform's hot path (one call per voter request, read-only, served
    // from memory): a per-token budget sized for people would throttle an election. Its routes get
    // no limiter hook here (an allow list would still hash the token of every request) but a
    // counter per principal of their own, sized for it. Failed authentications are counted per
    // address by the policy guard, for every route: a fresh bogus token per request gets a fresh
    // bucket here, not there.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        if (route.url.startsWith(UNLIMITED_PREFIX)) route.config = { ...route.config, rateLimit: false } as typeof route.config;
      });
    await app.register(rateLimit as never, {
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      keyGenerator: rateLimitKey,
      errorResponseBuilder: (_req: FastifyRequest, ctx: { after: string; max: number }) =>
        Object.assign(new Error(`rate limit of ${ctx.max} requests exceeded, retry in ${ctx.after}`), { statusCode: 429 }),
    });
  }
}
