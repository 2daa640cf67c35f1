import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import type { CloisonConfig } from '#config';

export const CONSOLE_PREFIX = '/console/';

/**
 * The console's pages get a strict policy: scripts, styles and data only from this origin, no
 * inline code, no framing. Every piece of data comes from the API with the user's own token.
 */
const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Only these kinds of file are ever served; anything else under the folders is a 404. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The file `rel` names in the first root holding it, never outside the roots. */
async function locate(roots: string[], rel: string): Promise<string | null> {
  const clean = normalize(rel === '' ? 'index.html' : rel);
  if (clean.startsWith('..') || clean.startsWith(sep) || !(extname(clean) in TYPES)) return null;
  for (const root of roots) {
    const file = join(root, clean);
    if (!file.startsWith(root + sep)) return null;
    const found = await stat(file).catch(() => null);
    if (found?.isFile()) return file;
  }
  return null;
}

/**
 * Serves the web console's static files (hand-written assets, then the compiled scripts) through
 * Fastify directly: these are not Nest routes and hold no data, so no policy applies. The files are
 * few and small; @fastify/static is not used because its ESM dependencies cannot load under jest.
 */
export function serveConsole(app: NestFastifyApplication, config: CloisonConfig): void {
  const roots = [config.console.assetsDir, config.console.scriptsDir].filter((dir) => existsSync(dir));
  if (!roots.length) return;
  const fastify = app.getHttpAdapter().getInstance();
  const send = async (reply: FastifyReply, rel: string) => {
    const file = await locate(roots, rel);
    // Any other path answers like every unknown route: the app's JSON 404.
    if (!file) return reply.callNotFound();
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) void reply.header(name, value);
    return reply.type(TYPES[extname(file)] as string).send(await readFile(file));
  };
  fastify.get('/console', (_req, reply) => reply.redirect(CONSOLE_PREFIX, 301));
  // The router has decoded the path once already; decoding it again would read `%2525` as `%`.
  fastify.get<{ Params: { '*': string } }>(`${CONSOLE_PREFIX}*`, (req, reply) => send(reply, req.params['*'] ?? ''));
}
