import { parentPort } from 'node:worker_threads';
import { digestBatch, transferables } from './export.digest.js';

// A worker of the export verifier's pool: digests the batches it is sent, in the order sent.
const port = parentPort;
if (!port) throw new Error('export.worker is meant to run as a worker thread');
port.on('message', (bytes: Uint8Array) => {
  const digest = digestBatch(bytes);
  port.postMessage(digest, transferables(digest));
});
