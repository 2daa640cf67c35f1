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
    const made: Checkpoint[] = [];
    const chains = this.witness.snapshot();
    this.owed = false;
    for (const [chain, candidates] of chains) {
      const scope = chain === GLOBAL_CHAIN ? ('all-tenants' as const) : { tenantId: chain };
      const cp = await this.scopes.run(scope, async (tx) => {
        for (const head of candidates) {
          if (await committed(tx, head)) return this.store(tx, head);
        }
        return null;
      });
      if (cp) {
        this.witness.covered(chain, cp.seq);
        made.push(cp);
      }
    }
    return made;
  }

  private async store(tx: PrismaTx, head: WitnessedHead): Promise<Checkpoint> {
    const cp = this.signer.sign({ chain: head.chain, seq: head.seq, head: head.hash, at: new Date().toISOString() });
    await tx.auditCheckpoint.createMany({
      data: [
        {
          chain: cp.chain,
          seq: BigInt(cp.seq),
          tenantId: cp.chain === GLOBAL_CHAIN ? null : cp.chain,
          head: cp.head,
          signedAt: new Date(cp.at),
          keyFingerprint: cp.key,
          signature: cp.signature,
        },
      ],
      skipDuplicates: true,
    });
    return cp;
  }
}

async function committed(tx: PrismaTx, head: WitnessedHead): Promise<boolean> {
  const seq = BigInt(head.seq);
  const found =
    head.chain === GLOBAL_CHAIN
      ? await tx.auditEvent.count({ where: { seq, hash: head.hash } })
      : await tx.auditEvent.count({ where: { tenantId: head.chain, tenantSeq: seq, tenantHash: head.hash } });
  return found > 0;
}
