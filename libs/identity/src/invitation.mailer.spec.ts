import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moveLeftMails } from './invitation.mailer.js';

describe('invitation mails an earlier release left in the data folder', () => {
  it('are moved to the outbox, and the data folder keeps none', () => {
    const root = mkdtempSync(join(tmpdir(), 'cloison-mails-'));
    const dataDir = join(root, 'data');
    const outbox = join(root, 'data-outbox');
    mkdirSync(join(dataDir, 'outbox'), { recursive: true });
    writeFileSync(join(dataDir, 'outbox', 'a-president@x.example.eml'), 'code inv_a');
    expect(moveLeftMails(dataDir, outbox)).toBe(1);
    expect(existsSync(join(dataDir, 'outbox'))).toBe(false);
    expect(readFileSync(join(outbox, 'a-president@x.example.eml'), 'utf8')).toBe('code inv_a');
    expect(moveLeftMails(dataDir, outbox)).toBe(0);
    expect(moveLeftMails(undefined, outbox)).toBe(0);
  });
});
