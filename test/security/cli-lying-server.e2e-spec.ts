import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createTenant,
  inviteClientAdmin,
  startTestApp,
  tempDir,
  type TestApp,
} from '../support/test-app.js';
import { cliAs } from '../support/cli-runner.js';

/**
 * A server that lies to the command line (one person at the vendor who runs it) answers another
 * request or seal, or another tenant, under the one the signer named, and routes the signed
 * approval there. The command must refuse to sign what the signer did not name.
 */
describe('cloison approve and cloison seal facing a lying server', () => {
  let t: TestApp;
  let url: string;
  let proxy: Server;
  let proxyUrl: string;
  let client: string;
  const dir = tempDir();
  /** Path rewrites the lying server applies, the named resource's path → the one it answers instead. */
  const lies = new Map<string, string>();

  const body = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c)).on('end', () => resolve(Buffer.concat(parts)));
    });

  beforeAll(async () => {
    t = await startTestApp({ signedApprovalsFromRisk: 2 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    proxy = createServer(async (req, res) => {
      const path = lies.get(req.url ?? '') ?? req.url ?? '';
      const payload = await body(req);
      const answer = await fetch(`${url}${path}`, {
        method: req.method,
        headers: { authorization: req.headers.authorization ?? '', 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: payload.length ? payload : undefined,
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    await createTenant(t, 'union', 2);
    await createTenant(t, 'league', 2);
    client = await inviteClientAdmin(t, 'union', 'Union president');
    for (const [file, token] of [
      ['op2.pem', OPERATOR_TOKEN_2],
      ['client.pem', client],
    ] as const)
      expect((await cliAs(url, token, ['keys', 'create', '--key', join(dir, file)])).code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await t?.stop();
  });
  beforeEach(() => lies.clear());

  const file = async (option: string, value: unknown, reason: string) =>
    (await t.as(OPERATOR_TOKEN).put(`/v1/tenants/union/options/${option}`).send({ value, reason }).expect(202)).body.id as string;
  const requestApprovals = async (id: string) =>
    (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/union/change-requests/${id}`).expect(200)).body.approvals as unknown[];
  const propose = async (label: string) =>
    (await t.as(OPERATOR_TOKEN).post('/v1/tenants/union/seals').send({ label }).expect(201)).body.id as string;
  const sealApprovals = async (id: string) =>
    (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/union/seals/${id}`).expect(200)).body.approvals as unknown[];

  it('cloison approve does not sign another change request than the one named', async () => {
    const named = await file('edit_electors_after_seal', true, 'late registrations');
    const other = await file('admin_can_view_credentials', true, 'scrutineers asked for it');
    const base = '/v1/tenants/union/change-requests';
    lies.set(`${base}/${named}`, `${base}/${other}`).set(`${base}/${named}/approve`, `${base}/${other}/approve`);
    const run = await cliAs(proxyUrl, OPERATOR_TOKEN_2, ['approve', 'union', named, '--key', join(dir, 'op2.pem')]);
    expect(run.code).toBe(4);
    expect(run.err).toMatch(/not signed/);
    expect(await requestApprovals(other)).toEqual([]);
  });

  it('cloison approve does not sign for another tenant than the one named', async () => {
    const named = await file('ballot_secrecy', 'admin_visible', 'observers');
    lies.set('/v1/tenants/union', '/v1/tenants/league');
    const run = await cliAs(proxyUrl, client, ['approve', 'union', named, '--key', join(dir, 'client.pem')]);
    expect(run.code).toBe(4);
    expect(await requestApprovals(named)).toEqual([]);
  });

  it('cloison seal does not sign a step of another seal than the one named', async () => {
    const named = await propose('congress 2027');
    const other = await propose('by-election');
    const base = '/v1/tenants/union/seals';
    lies.set(`${base}/${named}`, `${base}/${other}`).set(`${base}/${named}/approve`, `${base}/${other}/approve`);
    const run = await cliAs(proxyUrl, client, ['seal', 'approve', 'union', named, '--key', join(dir, 'client.pem')]);
    expect(run.code).toBe(4);
    expect(run.err).toMatch(/not signed/);
    expect(await sealApprovals(other)).toEqual([]);
    // The honest answer is signed as before.
    expect((await cliAs(url, client, ['seal', 'approve', 'union', named, '--key', join(dir, 'client.pem')])).code).toBe(0);
  });
});
