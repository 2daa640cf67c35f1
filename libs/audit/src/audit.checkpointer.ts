import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { PrismaTx } from '#persistence';
import type { TenantScopeService } from '#tenancy';
import { GLOBAL_CHAIN } from '#audit-format';
import type { AuditLinker } from './audit.linker.js';
import type { AuditSigner } from './audit.signer.js';
import type { Checkpoint } from '#audit-format';
import type { AuditWitness, WitnessedHead } from './audit.witness.js';

export interface CheckpointSchedule {
  /** Sign after this many events… */
  everyEvents: number;
  /** …or this many seconds after an event, whichever comes first. */
  everySeconds: number;
}

/**
 * Signs checkpoints outside the write path: every N events, every T seconds, on demand and at
 * shutdown. Only heads this process wrote (AuditWitness) and whose rows are committed are signed.
 */
export class AuditCheckpointer implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AuditCheckpointer');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Checkpoint[]> = Promise.resolve([]);
  private scheduled = false;
  /** A run is owed for the events counted so far: later events need no other until it takes its snapshot. */
  private owed = false;

  constructor(
    private readonly scopes: TenantScopeService,
    private readonly witness: AuditWitness,
    private readonly signer: AuditSigner,
    private readonly linker: AuditLinker,
    private readonly schedule: CheckpointSchedule,
  ) {}

  onModuleInit(): void {
    this.witness.onEvent((count) => {
      // Once per N events: every event after the N-th would otherwise queue a run of its own
      // until the owed run resets the count, and runs would follow each other without pause.
      if (count < this.schedule.everyEvents || this.owed) return;
      this.owed = true;
      this.soon();
    });
    this.timer = setInterval(() => this.soon(), this.schedule.everySeconds * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch((err: unknown) => this.logger.error(`final audit checkpoint failed: ${String(err)}`));
  }

  private soon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush().catch((err: unknown) => this.logger.error(`audit checkpoint failed: ${String(err)}`));
    });
  }

  /** Signs and stores a checkpoint for every chain with witnessed, committed events; one run at a time. */
  flush(): Promise<Checkpoint[]> {
    const next = this.running.catch(() => []).then(() => this.run());
    this.running = next;
    return next;
  }

  private async run(): Promise<Checkpoint[]> {
    // Links what a failed link run left behind, so that the global checkpoint covers it.
    await this.linker.link().catch((err: unknown) => this.logger.error(`audit link before checkpoint failed: ${String(err)}`));
    const chains = this.witness.snapshot();
    this.owed = false;
    const tenants = [...chains.keys()].filter((chain) => chain !== GLOBAL_CHAIN);
    const made: Checkpoint[] = [];
    if (tenants.length) {
      // Every tenant chain in one transaction, each statement in its own tenant's scope; should it
      // fail, one transaction per chain, so that one chain cannot keep the others unsigned.
      const signed = await this.scopes
        .runAcross(tenants, async (tx, enter) => {
          const out: Checkpoint[] = [];
          for (const chain of tenants) {
            await enter(chain);
            const cp = await this.signNewest(tx, chains.get(chain) ?? []);
            if (cp) out.push(cp);
          }
          return out;
        })
        .catch(async (err: unknown) => {
          this.logger.warn(`audit checkpoints of ${tenants.length} tenant chain(s) at once failed (${String(err)}); one at a time`);
          const out: Checkpoint[] = [];
          for (const chain of tenants) {
            const cp = await this.scopes.run({ tenantId: chain }, (tx) => this.signNewest(tx, chains.get(chain) ?? []));
            if (cp) out.push(cp);
          }
          return out;
        });
      made.push(...signed);
    }
    const global = chains.get(GLOBAL_CHAIN);
    if (global) {
      const cp = await this.scopes.run('all-tenants', (tx) => this.signNewest(tx, global));
      if (cp) made.push(cp);
    }
    for (const cp of made) this.witness.covered(cp.chain, cp.seq);
    return made;
  }

  /** Signs the newest of `candidates` (newest first) whose row is committed, if any. */
  private async signNewest(tx: PrismaTx, candidates: WitnessedHead[]): Promise<Checkpoint | null> {
    for (const head of candidates) {
      if (await committed(tx, head)) return this.store(tx, head);
    }
    return null;
  }

  private async store(tx: PrismaTx, head: WitnessedHead): Promise<Checkpoint> {
    const cp = this.signer.sign({ chain: head.chain, seq: head.seq, head: head.hash, at: new Date().toISOString() });
    const tenantId = cp.chain === GLOBAL_CHAIN ? null : cp.chain;
    // Raw statements: the model API costs far more of the service's time per call, on every chain.
    await tx.$executeRaw`
      INSERT INTO audit_checkpoints (chain, seq, tenant_id, head, signed_at, key_fingerprint, signature)
      VALUES (${cp.chain}, ${BigInt(cp.seq)}, ${tenantId}::uuid, ${cp.head}, ${new Date(cp.at)}::timestamptz, ${cp.key}, ${cp.signature})
      ON CONFLICT DO NOTHING`;
    return cp;
  }
}

async function committed(tx: PrismaTx, head: WitnessedHead): Promise<boolean> {
  const seq = BigInt(head.seq);
  const rows =
    head.chain === GLOBAL_CHAIN
      ? await tx.$queryRaw<
          { found: boolean }[]
        >`SELECT EXISTS (SELECT 1 FROM audit_events WHERE seq = ${seq} AND hash = ${head.hash}) AS found`
      : await tx.$queryRaw<{ found: boolean }[]>`
          SELECT EXISTS (SELECT 1 FROM audit_events
                          WHERE tenant_id = ${head.chain}::uuid AND tenant_seq = ${seq} AND tenant_hash = ${head.hash}) AS found`;
  return rows[0]?.found === true;
}
