import type { FastifyReply } from 'fastify';
import type { GateOutcome } from './change.gate.js';
import { etagOf } from '#http';

/** 200 with the option (and its ETag) when applied; 202 with the change request when pending. */
export function replyWithOutcome(reply: FastifyReply, outcome: GateOutcome) {
  if (outcome.kind === 'pending') {
    const r = outcome.request;
    void reply.status(202).header('location', `/v1/tenants/${r.tenant}/change-requests/${r.id}`);
    return r;
  }
  void reply.header('etag', etagOf(outcome.option.version));
  return outcome.option;
}
