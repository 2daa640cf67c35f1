import { ForbiddenException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { registeredRoutes } from '#http';
import { POLICY_KEY, PUBLIC_KEY, PolicyGuard } from '#policy';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Route {
  name: string;
  handler: (...args: never[]) => unknown;
  controller: Function;
}

/** Every route handler of every controller the running application registered. */
function allRoutes(t: TestApp): Route[] {
  return registeredRoutes(t.app).map((r) => ({
    name: `${r.controller.name}.${r.name} (${r.paths.join(', ')})`,
    handler: r.handler,
    controller: r.controller,
  }));
}

describe('deny by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('every route declares a policy or @Public()', () => {
    const routes = allRoutes(t);
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const undeclared = routes
      .filter((r) => {
        const declared = (key: string) => Reflect.getMetadata(key, r.handler) ?? Reflect.getMetadata(key, r.controller);
        return declared(POLICY_KEY) === undefined && declared(PUBLIC_KEY) !== true;
      })
      .map((r) => r.name);
    expect(undeclared).toEqual([]);
  });

  it('only the health check is public', () => {
    const publicRoutes = allRoutes(t).filter(
      (r) => Reflect.getMetadata(PUBLIC_KEY, r.handler) === true || Reflect.getMetadata(PUBLIC_KEY, r.controller) === true,
    );
    expect(
      publicRoutes
        .map((r) => r.name)
        .filter(
          (n) =>
            !/health|public-key|openapi|docs|ready|metrics|InvitationsController.redeem|ConsoleRootController.root|ConsoleSessionController.(session|start|callback)/i.test(
              n,
            ),
        ),
    ).toEqual([]);
  });

  it('the root address leads to the console (302), without a token and without data', async () => {
    for (const path of ['/', '/?lang=fr']) {
      const res = await t.http.get(path);
      expect({ path, status: res.status, location: res.headers.location }).toEqual({ path, status: 302, location: '/console/' });
      expect(res.text).not.toMatch(/tenant|option/i);
    }
  });

  it('the guard denies a route that declares nothing, before looking at any token', async () => {
    class Undeclared {
      handler() {
        return 'secret';
      }
    }
    const guard = new PolicyGuard(new Reflector(), undefined as never, undefined as never);
    const context = {
      getHandler: () => Undeclared.prototype.handler,
      getClass: () => Undeclared,
      switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }),
    } as unknown as ExecutionContext;
    await expect(guard.canActivate(context)).rejects.toBeInstanceOf(ForbiddenException);
  });
});
