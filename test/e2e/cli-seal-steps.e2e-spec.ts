import { join } from 'node:path';
import type { ApprovalFinding } from '#audit-format';
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
import { checkpointNow, exportText, publicKeyOf, verifyOffline } from '../support/audit-helpers.js';

/** `cloison seal approve|lift|break-glass` sign seal steps with the key `cloison approve` uses, where the tenant requires it. */
describe('cloison seal steps, signed from the command line', () => {
  let t: TestApp;
  let url: string;
  let client: string;
  const dir = tempDir();
  const cli = (argv: string[], token: string) => cliAs(url, token, argv);

  beforeAll(async () => {
    t = await startTestApp({ signedApprovalsFromRisk: 2 });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    await createTenant(t, 'union', 2);
    client = await inviteClientAdmin(t, 'union', 'Union president');
    for (const [file, token] of [
      ['op.pem', OPERATOR_TOKEN],
      ['op2.pem', OPERATOR_TOKEN_2],
      ['client.pem', client],
    ] as const)
      expect((await cli(['keys', 'create', '--key', join(dir, file)], token)).code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const propose = async (label: string) =>
    (await t.as(OPERATOR_TOKEN).post('/v1/tenants/union/seals').send({ label }).expect(201)).body.id as string;
  const status = async (id: string) => (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/union/seals/${id}`).expect(200)).body.status;

  it('approves, lifts and breaks the glass, each step signed; the export names the signers', async () => {
    const seal = await propose('congress 2027');
    // Unsigned, the service refuses it here; signed by the command, it counts.
    await t.as(OPERATOR_TOKEN_2).post(`/v1/tenants/union/seals/${seal}/approve`).send({}).expect(403);
    expect(await cli(['seal', 'approve', 'union', seal, '--key', join(dir, 'op2.pem')], OPERATOR_TOKEN_2)).toMatchObject({ code: 0 });
    const activated = await cli(['seal', 'approve', 'union', seal, '--key', join(dir, 'client.pem'), '--json'], client);
    expect(activated.code).toBe(0);
    expect(JSON.parse(activated.out)).toMatchObject({ id: seal, status: 'active' });
    expect((await cli(['seal', 'lift', 'union', seal, '--key', join(dir, 'client.pem')], client)).code).toBe(2);
    for (const [file, token] of [
      ['client.pem', client],
      ['op2.pem', OPERATOR_TOKEN_2],
    ] as const)
      expect((await cli(['seal', 'lift', 'union', seal, '--reason', 'congress closed', '--key', join(dir, file)], token)).code).toBe(0);
    expect(await status(seal)).toBe('lifted');

    const second = await propose('by-election');
    await cli(['seal', 'approve', 'union', second, '--key', join(dir, 'op2.pem')], OPERATOR_TOKEN_2);
    await cli(['seal', 'approve', 'union', second, '--key', join(dir, 'client.pem')], client);
    for (const [file, token] of [
      ['op.pem', OPERATOR_TOKEN],
      ['op2.pem', OPERATOR_TOKEN_2],
    ] as const)
      expect((await cli(['seal', 'break-glass', 'union', second, '--reason', 'court order', '--key', join(dir, file)], token)).code).toBe(
        0,
      );
    expect(await status(second)).toBe('lifted');
    // A step the seal is past: refused before anything is signed or sent.
    expect((await cli(['seal', 'approve', 'union', second, '--key', join(dir, 'client.pem')], client)).code).toBe(4);

    await checkpointNow(t);
    const offline = await verifyOffline(await exportText(t), await publicKeyOf(t));
    expect(offline).toMatchObject({ ok: true });
    const steps = (offline as unknown as { approvals: ApprovalFinding[] }).approvals.filter((a) => a.action.startsWith('seal.'));
    expect(steps.map((a) => [a.action, a.status])).toEqual([
      ['seal.approved', 'signed'],
      ['seal.approved', 'signed'],
      ['seal.lift_approved', 'signed'],
      ['seal.lift_approved', 'signed'],
      ['seal.approved', 'signed'],
      ['seal.approved', 'signed'],
      ['seal.break_glass_approved', 'signed'],
      ['seal.break_glass_approved', 'signed'],
    ]);
  });
});
