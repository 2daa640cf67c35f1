import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, RouteOptions } from 'fastify';

/** The request lifecycle hooks Fastify runs around a route's handler. */
export const LIFECYCLE_HOOKS = [
  'onRequest',
  'preParsing',
  'preValidation',
  'preHandler',
  'preSerialization',
  'onSend',
  'onResponse',
  'onError',
  'onTimeout',
  'onRequestAbort',
] as const;
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];
export type HookNames = Record<LifecycleHook, string[]>;

/** Nest's Fastify adapter adds hooks of its own when it is made; they are named this. */
export const ADAPTER_HOOK = 'FastifyAdapter';

type Hooks = Partial<Record<LifecycleHook, ((...args: never[]) => unknown)[]>>;

// Fastify keeps an instance's hooks under a symbol of its own; not finding it fails the start.
function hooksOf(instance: object): Hooks {
  const key = Object.getOwnPropertySymbols(instance).find((s) => s.description === 'fastify.hooks');
  if (!key) throw new Error("Fastify's hooks cannot be read: the evaluation fast path cannot tell what it would skip");
  return (instance as Record<symbol, Hooks>)[key] ?? {};
}

let adapterSources: Promise<Map<LifecycleHook, Set<string>>> | undefined;

/** The source text of the hooks a new FastifyAdapter adds: how they are told apart from later ones. */
function adapterHookSources(): Promise<Map<LifecycleHook, Set<string>>> {
  adapterSources ??= (async () => {
    const instance = new FastifyAdapter().getInstance();
    // Fastify applies hooks added before start once it is ready.
    await instance.ready();
    const hooks = hooksOf(instance);
    await instance.close();
    return new Map(LIFECYCLE_HOOKS.map((h) => [h, new Set((hooks[h] ?? []).map(String))]));
  })();
  return adapterSources;
}

/**
 * The hooks every route of `instance` runs (those added on the root context), by lifecycle stage
 * and name: the function's name, `FastifyAdapter` for the adapter's own, `anonymous` otherwise.
 * Read after `ready()`, when Fastify has applied every hook added so far.
 */
export async function rootHooks(instance: FastifyInstance): Promise<HookNames> {
  const hooks = hooksOf(instance);
  const adapter = await adapterHookSources();
  return Object.fromEntries(
    LIFECYCLE_HOOKS.map((h) => [
      h,
      (hooks[h] ?? []).map((fn) => (adapter.get(h)?.has(String(fn)) ? ADAPTER_HOOK : fn.name || 'anonymous')),
    ]),
  ) as HookNames;
}

/** Hooks declared on one route (route options, or added to them by an onRoute hook), by stage and name. */
export function routeHooks(route: RouteOptions): HookNames {
  const options = route as unknown as Hooks;
  return Object.fromEntries(LIFECYCLE_HOOKS.map((h) => [h, [options[h] ?? []].flat().map((fn) => fn.name || 'anonymous')])) as HookNames;
}
