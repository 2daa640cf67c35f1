import { BadRequestException } from '@nestjs/common';

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** The version an If-Match header asks for; undefined when absent. `*` matches any version. */
export function parseIfMatch(header: string | string[] | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const raw = (Array.isArray(header) ? header.join(',') : header).trim();
  if (raw === '*') return '*';
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw);
  if (!m) {
    throw new BadRequestException({
      message: 'If-Match must be an ETag returned by this API, e.g. "3"',
      details: [{ pointer: 'header:if-match', rule: 'format', message: 'expected "<version>"' }],
    });
  }
  return Number(m[1]);
}
