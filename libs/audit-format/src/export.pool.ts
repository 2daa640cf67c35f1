import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DigestBatch } from './export.digest.js';

const WORKER_SCRIPT = new URL('./export.worker.js', import.meta.url);

/**
 * Worker threads to use by default: one per core but the one the calling thread digests on (at
 * most 3); none on one core or where the compiled worker is absent (sources run by a test runner).
 */
export function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores > 1 && WORKER_SCRIPT.protocol === 'file:' && existsSync(fileURLToPath(WORKER_SCRIPT)) ? Math.min(cores - 1, 3) : 0;
}

interface Pending {
  resolve(d: DigestBatch): void;
  reject(err: Error): void;
}

/**
 * A fixed set of worker threads, each digesting its batches in order; each batch goes to the
 * worker with the fewest outstanding. A worker that fails fails every batch still outstanding.
 */
export class WorkerDigester {
  private readonly workers: { worker: Worker; pending: Pending[] }[] = [];
  private failure: Error | null = null;
  private closed = false;

  constructor(count: number, script: URL = WORKER_SCRIPT) {
    for (let i = 0; i < count; i++) {
      const slot = { worker: new Worker(script), pending: [] as Pending[] };
      slot.worker.on('message', (d: DigestBatch) => slot.pending.shift()?.resolve(d));
      const fail = (err: Error) => {
        if (this.closed) return;
        this.failure ??= err;
        for (const p of slot.pending.splice(0)) p.reject(err);
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => fail(new Error(`export verifier worker stopped (exit code ${code})`)));
      this.workers.push(slot);
    }
  }

  /** Whether some worker has fewer than `limit` batches outstanding. */
  hasRoom(limit: number): boolean {
    return this.workers.some((w) => w.pending.length < limit);
  }

  /** Digests in a worker; results of one worker come back in submission order. */
  submit(bytes: Uint8Array): Promise<DigestBatch> {
    if (this.failure) return Promise.reject(this.failure);
    let slot = this.workers[0] as (typeof this.workers)[number];
    for (const w of this.workers) if (w.pending.length < slot.pending.length) slot = w;
    const digest = new Promise<DigestBatch>((resolve, reject) => {
      slot.pending.push({ resolve, reject });
      slot.worker.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
    });
    // Awaited in order later; a failure before then must not count as unhandled.
    digest.catch(() => {});
    return digest;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
