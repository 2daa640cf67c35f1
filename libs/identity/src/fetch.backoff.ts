/** Thrown instead of fetching while the issuer is being given time to recover. */
export class BackingOff extends Error {
  constructor(readonly retryAt: number) {
    super(`identity provider unreachable; next attempt at ${new Date(retryAt).toISOString()}`);
  }
}

/**
 * A fetch that, after a failure (network error or a status other than 200), refuses to touch
 * the network for a bounded, doubling delay. Tokens arrive at the rate callers choose; without
 * this, every token presented while the issuer is down would cost a request to it.
 */
export class FetchBackoff {
  private failures = 0;
  private retryAt = 0;

  constructor(
    private readonly firstDelayMs = 1_000,
    private readonly maxDelayMs = 300_000,
    private readonly now: () => number = Date.now,
    private readonly fetchImpl: typeof fetch = (url, init) => fetch(url, init),
  ) {}

  get backingOff(): boolean {
    return this.now() < this.retryAt;
  }

  readonly fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    if (this.backingOff) throw new BackingOff(this.retryAt);
    let res: Response;
    try {
      res = await this.fetchImpl(url, init);
    } catch (err) {
      this.failed();
      throw err;
    }
    if (res.status === 200) this.failures = 0;
    else this.failed();
    return res;
  };

  /** Also for answers that arrived but were unusable (a discovery document without jwks_uri). */
  failed(): void {
    this.failures = Math.min(this.failures + 1, 32);
    this.retryAt = this.now() + Math.min(this.firstDelayMs * 2 ** (this.failures - 1), this.maxDelayMs);
  }
}
