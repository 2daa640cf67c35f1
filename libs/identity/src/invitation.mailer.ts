import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { CLOISON_CONFIG } from '#config';
import type { CloisonConfig } from '#config';

export interface InvitationMail {
  to: string;
  name: string;
  tenant: string;
  code: string;
  expiresAt: Date;
}

/** Where a code went: by SMTP, into the development outbox, or to nobody but the inviter. */
export type Delivery = 'smtp' | 'outbox' | 'shown';

/**
 * Delivers invitation codes to the invitee, never to the inviter: by SMTP when configured,
 * else as a file in the development outbox (folder 0700, files 0600, readable by whoever runs
 * the service). Only when neither exists is the code 'shown' — the caller then answers it to
 * the inviter, and the new principal counts as the inviter's.
 */
@Injectable()
export class InvitationMailer {
  private readonly transport?: Transporter;

  constructor(@Inject(CLOISON_CONFIG) private readonly config: CloisonConfig) {
    if (config.mail.smtpUrl) this.transport = nodemailer.createTransport(config.mail.smtpUrl);
    const moved = moveLeftMails(config.dataDir, config.mail.outboxDir);
    if (moved) {
      new Logger('invitations').warn(
        `${moved} invitation mails moved out of the data folder into ${config.mail.outboxDir}: copies of the data folder made until now hold their codes until they expire (72 h)`,
      );
    }
  }

  get delivery(): Delivery {
    return this.transport ? 'smtp' : this.config.mail.outboxDir ? 'outbox' : 'shown';
  }

  async send(mail: InvitationMail, delivery: Delivery): Promise<void> {
    const text = [
      `Hello ${mail.name},`,
      '',
      `you are invited to administer the options of "${mail.tenant}" in Cloison.`,
      `Your one-time code (valid until ${mail.expiresAt.toISOString()}):`,
      '',
      `  ${mail.code}`,
      '',
      'Redeem it with POST /v1/invitations/redeem {"code": "..."}; the answer is your own token.',
      'If you did not expect this mail, do not redeem the code and tell the client you vote for.',
    ].join('\n');
    const subject = `Cloison: invitation to administer ${mail.tenant}`;
    if (delivery === 'smtp' && this.transport) {
      await this.transport.sendMail({ from: this.config.mail.from, to: mail.to, subject, text });
    } else if (delivery === 'outbox' && this.config.mail.outboxDir) {
      const dir = this.config.mail.outboxDir;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      const file = join(
        dir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}-${mail.to.replace(/[^a-zA-Z0-9@._-]/g, '_')}.eml`,
      );
      writeFileSync(file, `From: ${this.config.mail.from}\nTo: ${mail.to}\nSubject: ${subject}\n\n${text}\n`, { mode: 0o600, flag: 'wx' });
    }
  }
}

/**
 * Earlier releases kept the outbox in the data folder (`outbox`): its mails are moved to `outboxDir`,
 * so that no code that makes a client admin rests among the database's files. Returns how many.
 */
export function moveLeftMails(dataDir: string | undefined, outboxDir: string | undefined): number {
  const left = dataDir ? join(dataDir, 'outbox') : undefined;
  if (!left || !outboxDir || !existsSync(left)) return 0;
  mkdirSync(outboxDir, { recursive: true, mode: 0o700 });
  const mails = readdirSync(left);
  for (const name of mails) copyFileSync(join(left, name), join(outboxDir, name));
  rmSync(left, { recursive: true, force: true });
  return mails.length;
}
