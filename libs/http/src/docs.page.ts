import type { OpenApiDocument, OpenApiOperation } from './openapi.builder.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const json = (v: unknown) => `<pre>${escapeHtml(JSON.stringify(v, null, 2))}</pre>`;

/** A response's description, following a reference to the shared responses. */
function describe(doc: OpenApiDocument, r: unknown): string {
  const ref = (r as { $ref?: string }).$ref;
  const target = ref ? (doc.components.responses as Record<string, unknown>)[ref.split('/').pop() as string] : r;
  return (target as { description?: string } | undefined)?.description ?? '';
}

function renderOperation(doc: OpenApiDocument, path: string, method: string, op: OpenApiOperation): string {
  const policy = op['x-cloison-policy'] === 'public' ? 'public' : `${op['x-cloison-policy'].action} ${op['x-cloison-policy'].subject}`;
  const params = op.parameters.length
    ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td>${escapeHtml(p.name)}</td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
        )
        .join('')}</table>`
    : '';
  const body = op.requestBody ? `<h4>Request body (application/json)</h4>${json(op.requestBody.content['application/json'].schema)}` : '';
  const responses = `<h4>Responses</h4><ul>${Object.entries(op.responses)
    .map(([code, r]) => `<li><b>${escapeHtml(code)}</b> ${escapeHtml(describe(doc, r))}</li>`)
    .join('')}</ul>`;
  return `<details id="${escapeHtml(op.operationId)}"><summary><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <span class="p">${escapeHtml(policy)}</span></summary>${params}${body}${responses}</details>`;
}

/**
 * A self-contained reference page rendered on the server from the OpenAPI document:
 * no script, no external asset, so it works offline and under a strict CSP.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const ops = Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => renderOperation(doc, path, m, op)))
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} API ${escapeHtml(doc.info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
details{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.4rem .7rem}
summary{cursor:pointer}.m{display:inline-block;min-width:4.5rem;font-weight:700}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.delete{color:#c22}.patch{color:#808}
.p{color:#666;font-size:.9em;margin-left:.6rem}pre{background:#f6f6f6;padding:.6rem;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
</style></head><body>
<h1>${escapeHtml(doc.info.title)} API <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description)}</p>
<p>Machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).</p>
${ops}
</body></html>
`;
}
