import { Controller, Get, Header, Inject } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Public } from '#policy';
import { renderDocsPage } from './docs.page.js';
import { buildOpenApi, type OpenApiDocument } from './openapi.builder.js';
import { declaredRoutes } from './route-catalog.js';
import { Answers } from './answers.decorator.js';

export const API_VERSION = '1.0.0';

/** The API's own description, built from the controllers' decorators once, on first request. */
@Controller()
export class OpenApiController {
  private doc?: OpenApiDocument;
  private page?: string;

  constructor(@Inject(DiscoveryService) private readonly discovery: DiscoveryService) {}

  document(): OpenApiDocument {
    if (!this.doc) {
      const controllers = this.discovery
        .getControllers()
        .map((w) => w.metatype)
        .filter((m): m is Function => typeof m === 'function');
      this.doc = buildOpenApi(declaredRoutes(controllers), API_VERSION);
    }
    return this.doc;
  }

  @Get('openapi.json')
  @Public()
  @Answers({ 200: { type: 'object', required: ['openapi', 'info', 'paths'] } })
  openapi(): OpenApiDocument {
    return this.document();
  }

  @Get('docs')
  @Public()
  @Answers({ 200: { media: { 'text/html': { type: 'string' } } } })
  @Header('content-type', 'text/html; charset=utf-8')
  docs(): string {
    this.page ??= renderDocsPage(this.document());
    return this.page;
  }
}
