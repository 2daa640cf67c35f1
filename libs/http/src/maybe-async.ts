/** A value that is ready (warm caches) or still to come (a database read). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * `fn` applied to `value`, without a promise or a microtask when the value is ready: the
 * evaluation hot path stays synchronous while everything it needs is in memory.
 */
export function andThen<T, U>(value: MaybePromise<T>, fn: (ready: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
