import {
  Injectable,
  UseGuards,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { RouteOptions } from 'fastify';
import { unreproducedEnhancers, unreproducedHooks } from '#evaluation';
import { OfrepController } from '#evaluation/ofrep.controller';
import { globalEnhancers } from '#http';
import { startTestApp, type TestApp } from '../support/test-app.js';

@Injectable()
class CountingInterceptor implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}
@Injectable()
class TrimPipe implements PipeTransform {
  transform(value: unknown) {
    return value;
  }
}
@Injectable()
class MaintenanceGuard implements CanActivate {
  canActivate() {
    return true;
  }
}

/**
 * The evaluation routes are answered by Fastify without Nest's per-request pipeline (ofrep.direct):
 * whatever Nest would run around them besides what the direct handlers run is named, and the
 * service refuses to start with it.
 */
describe("evaluation served directly skips nothing of Nest's pipeline", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the running service has only the enhancers the direct handlers reproduce', () => {
    expect(globalEnhancers(t.app)).toEqual({ guards: ['PolicyGuard'], pipes: [], interceptors: [], filters: ['HttpErrorFilter'] });
    expect(unreproducedEnhancers(t.app)).toEqual([]);
  });

  it('names a global interceptor, pipe or guard the direct handlers would skip', () => {
    const config = t.app.get(ApplicationConfig);
    // useGlobal…() replaces the list it adds to: the one read afterwards holds the addition, last.
    const added: [() => void, () => unknown[]][] = [
      [() => t.app.useGlobalInterceptors(new CountingInterceptor()), () => config.getGlobalInterceptors()],
      [() => t.app.useGlobalPipes(new TrimPipe()), () => config.getGlobalPipes()],
      [() => t.app.useGlobalGuards(new MaintenanceGuard()), () => config.getGlobalGuards()],
    ];
    const named: string[][] = [];
    for (const [add, list] of added) {
      add();
      try {
        named.push(unreproducedEnhancers(t.app));
      } finally {
        list().pop();
      }
    }
    expect(named).toEqual([
      ['global interceptors: CountingInterceptor (served directly: none)'],
      ['global pipes: TrimPipe (served directly: none)'],
      ['global guards: MaintenanceGuard, PolicyGuard (served directly: PolicyGuard)'],
    ]);
    expect(unreproducedEnhancers(t.app)).toEqual([]);
  });

  it('names a guard declared on the evaluation controller', () => {
    const before = Reflect.getMetadata(GUARDS_METADATA, OfrepController) as unknown;
    UseGuards(MaintenanceGuard)(OfrepController);
    try {
      expect(unreproducedEnhancers(t.app)).toEqual([
        'OfrepController.bulk guards: MaintenanceGuard (served directly: none)',
        'OfrepController.single guards: MaintenanceGuard (served directly: none)',
      ]);
    } finally {
      Reflect.defineMetadata(GUARDS_METADATA, before, OfrepController);
    }
  });
});

/**
 * Below Fastify, the fast path also stands in for Fastify's hooks: a hook it does not know, on every
 * route or on an evaluation route, or an adapter feature that makes the adapter's hooks act, is named.
 */
describe('evaluation served below Fastify skips no Fastify hook', () => {
  const known = async (extra: (adapter: FastifyAdapter) => void = () => undefined, routeHook?: RouteOptions['preHandler']) => {
    const adapter = new FastifyAdapter();
    const fastify = adapter.getInstance();
    fastify.addHook('onRequest', function securityHeaders(_req, _reply, done) {
      done();
    });
    fastify.addHook('onSend', function requestIdHeader(_req, _reply, payload, done) {
      done(null, payload);
    });
    fastify.addHook('onResponse', function httpMetrics(_req, _reply, done) {
      done();
    });
    extra(adapter);
    const route: RouteOptions = {
      method: 'POST',
      url: '/ofrep/v1/evaluate/flags',
      handler: async () => '',
      ...(routeHook ? { preHandler: routeHook } : {}),
    };
    fastify.route(route);
    await fastify.ready();
    const app = { getHttpAdapter: () => adapter, get: () => ({ getVersioning: () => undefined }) };
    try {
      return await unreproducedHooks(app as never, [route]);
    } finally {
      await fastify.close();
    }
  };

  it('names nothing for the hooks the fast path reproduces', async () => {
    expect(await known()).toEqual([]);
  });

  it('names a hook added on every route, one on an evaluation route, and CORS', async () => {
    expect(
      await known((a) =>
        a.getInstance().addHook('preHandler', function auditTrail(_req, _reply, done) {
          done();
        }),
      ),
    ).toEqual(['Fastify preHandler hooks: auditTrail (served directly: none)']);
    expect(
      await known(undefined, function throttle(_req, _reply, done) {
        done();
      }),
    ).toEqual(['/ofrep/v1/evaluate/flags preHandler hooks: throttle (served directly: none)']);
    expect(await known((a) => a.getInstance().addHook('onRequest', (_req, _reply, done) => done()))).toEqual([
      'Fastify onRequest hooks: FastifyAdapter, FastifyAdapter, FastifyAdapter, FastifyAdapter, FastifyAdapter, FastifyAdapter, securityHeaders, anonymous (served directly: FastifyAdapter, FastifyAdapter, FastifyAdapter, FastifyAdapter, FastifyAdapter, FastifyAdapter, securityHeaders)',
    ]);
    expect(await known((a) => a.enableCors({}))).toEqual(['FastifyAdapter corsHook set']);
  });
});
