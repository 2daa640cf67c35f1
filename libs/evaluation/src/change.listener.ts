import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Authenticator } from '#identity';
import { PrismaService, dedicatedConnection, type DatabaseClient } from '#persistence';
import { OptionRowsCache, TenantDirectory } from '#tenancy';
import { SnapshotCache } from './snapshot.cache.js';

/** Channel and counter written by the triggers of the evaluation_notify migration. */
export const CHANGE_CHANNEL = 'cloison_evaluation';
const POLL_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 2_000;
const RECONNECT_DELAY_MS = 500;

export type ChangeMode = 'notify' | 'poll';

/**
 * Keeps this instance's caches (evaluation snapshots, REST option rows, principals, tenant slugs)
 * in step with the database, whichever instance or code path wrote the change.
 *
 * - notify: a dedicated connection LISTENs on CHANGE_CHANNEL; each committed change drops the
 *   named tenant's snapshot or principal's cache entries. Chosen when a probe NOTIFY sent through
 *   the pool reaches the listening connection.
 * - poll: the embedded PGlite server serves every connection from one session and hands a
 *   notification to the connection that caused it, not to listeners, so the instance polls the
 *   change counter every POLL_INTERVAL_MS and drops every cache when it moves.
 *
 * Whenever changes cannot be observed (listener lost, poll failing) the caches are switched off
 * and emptied; they come back, empty, once observation works again. Stale answers are never served
 * for longer than the notification or poll delay.
 */
@Injectable()
export class ChangeListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('evaluation');
  private client?: DatabaseClient;
  private timer?: NodeJS.Timeout;
  private lastSeq?: string;
  private stopped = false;
  mode: ChangeMode = 'poll';

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(SnapshotCache) private readonly snapshots: SnapshotCache,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(OptionRowsCache) private readonly optionRows: OptionRowsCache,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.prisma.database.mode !== 'embedded' && (await this.listen())) {
      this.mode = 'notify';
      return;
    }
    this.mode = 'poll';
    await this.poll();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /**
   * This instance committed a change of the tenant's values: what it keeps of them is dropped
   * before it answers, so its own next read sees the change without waiting for the announcement.
   */
  valuesWritten(tenantId: string): void {
    this.apply(`values:${tenantId}`);
  }

  /** Applies one change to the caches, as announced by the database. */
  apply(payload: string): void {
    const [kind, id] = payload.split(':', 2);
    if (kind === 'values' && id) {
      this.snapshots.invalidateTenant(id);
      this.optionRows.forgetTenant(id);
    } else if (kind === 'tenant' && id) {
      this.snapshots.invalidateTenant(id);
      this.optionRows.forgetTenant(id);
      this.authenticator.cache.forgetTenant(id);
      this.tenants.cache.forgetTenant(id);
    } else if (kind === 'principal' && id) {
      this.authenticator.cache.forgetPrincipal(id);
    } else if (kind !== 'probe') {
      this.clearAll();
    }
  }

  private clearAll(): void {
    this.snapshots.clear();
    this.optionRows.clear();
    this.authenticator.cache.clear();
    this.tenants.cache.clear();
  }

  private setLive(live: boolean): void {
    this.snapshots.setLive(live);
    this.optionRows.setLive(live);
    this.authenticator.cache.setLive(live);
    this.tenants.cache.setLive(live);
  }

  /** Connects the listening session and checks that it really receives notifications. */
  private async listen(): Promise<boolean> {
    const client = dedicatedConnection(this.prisma.database);
    const probe = `probe:${randomUUID()}`;
    let heard!: () => void;
    const probeHeard = new Promise<void>((resolve) => (heard = resolve));
    client.on('notification', (n) => {
      if (n.channel !== CHANGE_CHANNEL || n.payload === undefined) return;
      if (n.payload === probe) heard();
      else this.apply(n.payload);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      await this.prisma.database.pool.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, probe]);
      let timeout: NodeJS.Timeout | undefined;
      const ok = await Promise.race([
        probeHeard.then(() => true),
        new Promise<boolean>((resolve) => (timeout = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS))),
      ]);
      clearTimeout(timeout);
      if (!ok) throw new Error('probe notification not delivered');
    } catch (err) {
      this.logger.warn(`change notifications unavailable (${(err as Error).message}); polling the change counter`);
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return false;
    }
    // Anything cached before this session listened may have missed a change.
    this.clearAll();
    this.setLive(true);
    this.client = client;
    return true;
  }

  private lost(client: DatabaseClient): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.setLive(false);
    if (this.stopped) return;
    this.logger.warn('change listener connection lost; caches off until it is back');
    void client.end().catch(() => undefined);
    const retry = async () => {
      if (this.stopped) return;
      if (!(await this.listen()) && !this.stopped) this.timer = setTimeout(retry, RECONNECT_DELAY_MS).unref();
    };
    this.timer = setTimeout(retry, RECONNECT_DELAY_MS).unref();
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      const { rows } = await this.prisma.database.pool.query<{ seq: string }>(
        'SELECT seq::text AS seq FROM evaluation_changes WHERE id = 1',
      );
      const seq = rows[0]?.seq;
      if (seq === undefined) throw new Error('change counter missing');
      if (this.lastSeq === undefined) this.setLive(true);
      else if (seq !== this.lastSeq) this.clearAll();
      this.lastSeq = seq;
    } catch (err) {
      if (this.stopped) return;
      if (this.lastSeq !== undefined) this.logger.warn(`change counter unreadable (${(err as Error).message}); caches off`);
      this.lastSeq = undefined;
      this.setLive(false);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), POLL_INTERVAL_MS).unref();
  }
}
