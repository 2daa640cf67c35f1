import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Answers } from '#http';
import { Caller, CheckPolicy, Public, type PolicyContext } from '#policy';
import { BOOLEAN, DATE_TIME, STRING, nullable, objectOf } from '#registry';
import { ConsoleSessions, SESSION_COOKIE, readCookie } from './console-sessions.js';
import { ConsoleSignIn, INVITATION_CODE, SIGN_IN_COOKIE, SignInRefused, type ProvenIdentity } from './console-sign-in.js';
import { InvitationsService } from './invitations.service.js';

/** The message of an HTTP refusal, as its body words it. */
function messageOf(err: HttpException): string {
  const body = err.getResponse();
  return typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : err.message;
}

export const CONSOLE_SESSION_SCHEMA = objectOf({
  oidc: BOOLEAN,
  session: nullable(objectOf({ csrfToken: STRING, expiresAt: DATE_TIME })),
});

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The refusal as a page for a person's browser: no script, a way back to the console. */
function refusalPage(e: SignInRefused): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused — Cloison</title>
<link rel="stylesheet" href="/console/console.css"></head><body><main>
<h1>Sign-in refused</h1><p data-refusal="${e.code}">${escapeHtml(e.message)}</p>
<p><a href="/console/">Back to the console</a></p></main></body></html>`;
}

/**
 * The console's sign-in through the organisation's OpenID provider and its session. The three
 * routes a browser reaches before it holds a session are public; sign-out is an authenticated,
 * state-changing request like any other (with the cookie: the CSRF header is required).
 */
@Controller('v1/console')
export class ConsoleSessionController {
  private readonly logger = new Logger('console-session');

  constructor(
    @Inject(ConsoleSignIn) private readonly signIn: ConsoleSignIn,
    @Inject(ConsoleSessions) private readonly sessions: ConsoleSessions,
    @Inject(InvitationsService) private readonly invitations: InvitationsService,
  ) {}

  /** How the console signs in here, and, for the browser holding a live session, its CSRF token. */
  @Get('session')
  @Public()
  @Answers({ 200: CONSOLE_SESSION_SCHEMA })
  async session(@Req() req: FastifyRequest) {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    const held = id ? await this.sessions.authenticate(id) : null;
    return {
      oidc: this.signIn.enabled,
      session: id && held ? { csrfToken: this.sessions.csrfToken(id), expiresAt: new Date(held.sessionExpiresAt).toISOString() } : null,
    };
  }

  @Get('sign-in')
  @Public()
  @HttpCode(302)
  @Answers({ 302: null }, { 404: 'console sign-in through an identity provider is not configured' })
  start(@Res() reply: FastifyReply) {
    return this.redirectToProvider(reply);
  }

  /** The same, for an invitee: the invitation is redeemed for the account the provider vouches for. */
  @Get('sign-in/:invitation')
  @Public()
  @HttpCode(302)
  @Answers({ 302: null }, { 404: 'console sign-in through an identity provider is not configured' })
  startWithInvitation(@Param('invitation') code: string, @Res() reply: FastifyReply) {
    if (!INVITATION_CODE.test(code)) {
      throw new BadRequestException({
        message: 'not an invitation code',
        details: [{ pointer: '/invitation', rule: 'pattern', message: `must match ${INVITATION_CODE.source}` }],
      });
    }
    return this.redirectToProvider(reply, code);
  }

  private async redirectToProvider(reply: FastifyReply, invitation?: string) {
    if (!this.signIn.enabled) throw new NotFoundException('console sign-in through an identity provider is not configured');
    const { url, cookie } = await this.signIn.start(invitation);
    return reply.code(302).header('set-cookie', cookie).header('cache-control', 'no-store').header('location', url).send();
  }

  @Get('callback')
  @Public()
  @HttpCode(303)
  @Answers(
    { 303: null },
    {
      400: 'no sign-in in progress in this browser, its state does not match, or the provider answer was refused',
      403: 'no active principal is linked to the identity the provider vouched for',
      404: 'console sign-in through an identity provider is not configured, or the invitation code is unknown',
      409: 'the invitation was redeemed already, or the account already has access',
      410: 'the invitation has expired',
    },
  )
  async callback(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (!this.signIn.enabled) throw new NotFoundException('console sign-in through an identity provider is not configured');
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const clear = this.signIn.clearedCookie();
    try {
      const who = await this.signIn.finish(query, readCookie(req.headers.cookie, SIGN_IN_COOKIE));
      const principal = who.invitation ? await this.redeem(who, String(req.id)) : await this.signIn.principalOf(who);
      const session = await this.sessions.open(principal.id);
      if (!session) throw new SignInRefused('unknown_person', 403, 'the account was revoked during sign-in');
      this.logger.log(`console sign-in: ${principal.name} (${principal.id}, ${principal.role}) as ${who.subject} at ${who.issuer}`);
      return reply
        .code(303)
        .header('set-cookie', [clear, this.sessions.sessionCookie(session.id)])
        .header('cache-control', 'no-store')
        .header('location', '/console/')
        .send();
    } catch (err) {
      if (!(err instanceof SignInRefused)) throw err;
      this.logger.warn(`console sign-in refused (${err.code}): ${err.message}`);
      if (!/text\/html/.test(req.headers.accept ?? '')) {
        void reply.header('set-cookie', clear);
        throw new HttpException(err.message, err.status);
      }
      return reply
        .code(err.status)
        .header('set-cookie', clear)
        .header('content-security-policy', "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'")
        .type('text/html; charset=utf-8')
        .send(refusalPage(err));
    }
  }

  /**
   * A sign-in started with an invitation code: the code, delivered to the invitee, makes the
   * account the provider vouched for a client admin of its own (person). An account that already
   * has access is refused, and the invitation stays unused.
   */
  private async redeem(who: ProvenIdentity, requestId: string): Promise<{ id: string; name: string; role: string }> {
    if (await this.signIn.linkedTo(who)) {
      throw new SignInRefused('invitation', 409, 'this account already has access: sign in without the invitation');
    }
    try {
      const issued = await this.invitations.redeem(who.invitation as string, requestId, { issuer: who.issuer, subject: who.subject });
      return { id: issued.id, name: issued.name, role: issued.role };
    } catch (err) {
      if (err instanceof HttpException) throw new SignInRefused('invitation', err.getStatus(), messageOf(err));
      throw err;
    }
  }

  /** Ends the caller's console session here and in the browser; with a bearer token there is none to end. */
  @Post('sign-out')
  @HttpCode(204)
  @CheckPolicy('read', 'Registry')
  @Answers({ 204: null })
  async signOut(@Caller() ctx: PolicyContext, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (id && !req.headers.authorization && (await this.sessions.close(id))) {
      this.logger.log(`console sign-out: ${ctx.principal.name} (${ctx.principal.id}, ${ctx.principal.role})`);
    }
    void reply.header('set-cookie', this.sessions.clearedCookie());
  }
}
