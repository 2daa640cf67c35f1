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
import { unreproducedEnhancers } from '#evaluation';
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
