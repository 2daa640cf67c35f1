import { Controller, Get, HttpCode, Inject, Post, Query, StreamableFile } from '@nestjs/common';
import { Caller, CheckPolicy, Public, type PolicyContext } from '#policy';
import { SchemaPipe } from '#http';
import { AuditChainService, CHECKPOINTS_SCHEMA, PUBLIC_KEY_VIEW_SCHEMA, type ExportFormat } from './audit-chain.service.js';
import { Answers } from '#http';
import { VERIFY_RESULT_SCHEMA } from '#audit-format';

const EXPORT_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { type: 'string', enum: ['jsonl', 'csv'], default: 'jsonl' } },
} as const;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** The export's lines: a header, events and checkpoints, an end line (format in docs/audit.md). */
const EXPORT_BODY = { media: { 'application/x-ndjson': { type: 'string' }, 'text/csv': { type: 'string' } } };

@Controller()
export class AuditChainController {
  constructor(@Inject(AuditChainService) private readonly chain: AuditChainService) {}

  @Get('v1/audit/public-key')
  @Public()
  @Answers({ 200: PUBLIC_KEY_VIEW_SCHEMA })
  publicKey() {
    return this.chain.publicKey();
  }

  @Post('v1/audit/checkpoints')
  @HttpCode(201)
  @CheckPolicy('create', 'AuditCheckpoint')
  @Answers({ 201: CHECKPOINTS_SCHEMA })
  checkpoint() {
    return this.chain.checkpoint();
  }

  @Get('v1/audit/verify')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: VERIFY_RESULT_SCHEMA })
  verify(@Caller() ctx: PolicyContext) {
    return this.chain.verify(ctx);
  }

  @Get('v1/tenants/:tenant/audit/verify')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: VERIFY_RESULT_SCHEMA })
  verifyTenant(@Caller() ctx: PolicyContext) {
    return this.chain.verify(ctx);
  }

  @Get('v1/audit/export')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: EXPORT_BODY })
  export(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(EXPORT_QUERY, 'query')) q: { format: ExportFormat }) {
    return this.stream(ctx, q.format);
  }

  @Get('v1/tenants/:tenant/audit/export')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: EXPORT_BODY })
  exportTenant(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(EXPORT_QUERY, 'query')) q: { format: ExportFormat }) {
    return this.stream(ctx, q.format);
  }

  private async stream(ctx: PolicyContext, format: ExportFormat): Promise<StreamableFile> {
    const name = `cloison-audit-${ctx.tenant?.slug ?? 'global'}.${format}`;
    return new StreamableFile(await this.chain.export(ctx, format), {
      type: CONTENT_TYPES[format],
      disposition: `attachment; filename="${name}"`,
    });
  }
}
