import { HttpException, HttpStatus } from '@nestjs/common';

/** 429, with the seconds until the window that refused the request ends (Retry-After). */
export class TooManyRequests extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * Counts per key in fixed windows: the counts start again from zero when a window ends. Cheap
 * enough for the evaluation hot path: a Map lookup and a small integer stored per call, no object
 * per key. At most `maxKeys` keys are counted in one window, so a flood of distinct keys cannot
 * grow memory without bound; keys beyond it go uncounted until the window ends.
 */
export class WindowCounter {
  private counts = new Map<string, number>();
  private windowEnds = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** The key's count in the current window. */
  count(key: string): number {
    if (this.counts.size === 0) return 0;
    this.roll();
    return this.counts.get(key) ?? 0;
  }

  /** Adds one to the key's count; returns the new count. */
  add(key: string): number {
    this.roll();
    const n = (this.counts.get(key) ?? 0) + 1;
    if (n > 1 || this.counts.size < this.maxKeys) this.counts.set(key, n);
    return n;
  }

  /** Whole seconds until the current window ends (at least 1). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.windowEnds - Date.now()) / 1000));
  }

  private roll(): void {
    const now = Date.now();
    if (now < this.windowEnds) return;
    if (this.counts.size) this.counts = new Map();
    this.windowEnds = now + this.windowMs;
  }
}

export const AUTH_FAILURE_LIMIT = Symbol('AUTH_FAILURE_LIMIT');

/** Failed authentications allowed per client address and window; `max` 0 turns the limit off. */
export interface AuthFailureLimit {
  max: number;
  windowMs: number;
}

/**
 * Failed authentications (unknown, revoked or malformed tokens, staff JWTs failing verification)
 * per client address. Once an address reaches the limit, its requests carrying credentials are
 * refused before any token is looked up, so guessing tokens (a fresh one per request defeats a
 * per-token limit) costs the database nothing.
 */
export class AuthFailures {
  private readonly counter: WindowCounter | undefined;

  constructor(private readonly limit: AuthFailureLimit = { max: 0, windowMs: 60_000 }) {
    this.counter = limit.max > 0 ? new WindowCounter(limit.windowMs) : undefined;
  }

  /** Throws 429 while `address` is over the limit. */
  assertAllowed(address: string): void {
    if (this.counter && this.counter.count(address) >= this.limit.max) {
      throw new TooManyRequests(
        `too many failed authentications from this address (${this.limit.max} per ${this.limit.windowMs} ms), retry later`,
        this.counter.retryAfterSeconds(),
      );
    }
  }

  record(address: string): void {
    this.counter?.add(address);
  }
}
