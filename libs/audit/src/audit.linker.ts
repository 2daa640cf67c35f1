import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { recordAuditLink } from '#observability';
import { PrismaService, hotStatement } from '#persistence';
import { GLOBAL_CHAIN } from '#audit-format';
import { AuditWitness } from './audit.witness.js';

/** The global chain's head after a link run, and how many events that run linked. */
export interface LinkedHead {
  linked: number;
  seq: number;
  hash: string;
}

type LinkRow = { linked: number; head_seq: string; head_hash: string };

/**
 * Gives committed events that only joined their tenant's chain (direct option changes) their place
 * in the global chain. One run is one round trip, `cloison_audit_link()` in its own transaction, which
 * takes the global head's lock and links every unlinked event it sees, in append order.
 *
 * Runs are coalesced: a caller whose event is committed waits for a run that starts after its call
 * (the one in progress may have looked before the event committed), so the callers arriving while a
 * run executes all share the next one. A failed run fails every caller waiting on it; the events
 * stay committed in their tenants' chains and the next run (any caller's, the checkpointer's, or the
 * one at start) links them.
 */
@Injectable()
export class AuditLinker implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditLinker');
  private inFlight: Promise<LinkedHead> | null = null;
  private next: Promise<LinkedHead> | null = null;
  /** Runs started so far, and the number of the one in progress. */
  private started = 0;
  private inFlightNo = 0;

  constructor(
    @Inject(PrismaService) private readonly db: PrismaService,
    @Optional() @Inject(AuditWitness) private readonly witness?: AuditWitness,
  ) {}

  /** Events left unlinked by a crash between a change's commit and its link. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const head = await this.link();
      if (head.linked > 0) this.logger.warn(`linked ${head.linked} audit event(s) left unlinked before this start`);
    } catch (err) {
      // A database a migration behind, say: the first change or checkpoint links them.
      this.logger.error(`audit events could not be linked at start: ${(err as Error).message}`);
    }
  }

  /**
   * Taken as soon as a caller sees its change committed (its statement answered), and handed to
   * `link`: a run started after the mark looks after that commit.
   */
  mark(): number {
    return this.started;
  }

  /**
   * Resolves once every event committed before `seen` (a mark taken once the caller saw its own
   * commit; by default, now) is linked into the global chain.
   */
  link(seen = this.mark()): Promise<LinkedHead> {
    if (this.next) return this.next;
    if (!this.inFlight) return this.start();
    // The run in progress started after the mark (another change answered by the same statement
    // started it, say): it sees the caller's event. Never so for a mark taken now.
    if (this.inFlightNo > seen) return this.inFlight;
    const previous = this.inFlight;
    this.next = previous
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<LinkedHead> {
    this.inFlightNo = ++this.started;
    const run = this.run().finally(() => {
      if (this.inFlight === run) this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private async run(): Promise<LinkedHead> {
    let rows: LinkRow[];
    try {
      // Its own transaction, whose commit does not wait for the disk (see the function).
      ({ rows } = await this.db.database.pool.query<LinkRow>(
        hotStatement(this.db.database, 'cloison_audit_link', 'SELECT * FROM cloison_audit_link()'),
      ));
    } catch (err) {
      recordAuditLink('failed');
      throw err;
    }
    const r = rows[0];
    if (!r) throw new Error('audit link returned no head');
    const head = { linked: r.linked, seq: Number(r.head_seq), hash: r.head_hash };
    recordAuditLink('ok', head.linked);
    // Each event was counted when its tenant chain took it; the global head is only a candidate.
    if (head.linked > 0) this.witness?.saw([{ chain: GLOBAL_CHAIN, seq: head.seq, hash: head.hash }], 0);
    return head;
  }
}
