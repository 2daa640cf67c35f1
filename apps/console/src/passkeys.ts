import type { Api } from './api.js';
import { h } from './dom.js';
import { errorBox } from './format.js';
import { t } from './i18n.js';
import type { ChangeRequest, Me } from './types.js';

/** A passkey signature as the API takes it with an approval (docs/security.md, "Signed approvals"). */
export interface PasskeySignature {
  kind: 'webauthn';
  key: string;
  at: string;
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
}

interface Credential {
  fingerprint: string;
  kind: string;
  label: string;
  credentialId: string | null;
}

const b64u = (b: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(b)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const bytes = (s: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

export const passkeysSupported = (): boolean => typeof PublicKeyCredential !== 'undefined' && window.isSecureContext;

export const credentials = (api: Api) => api.get<Credential[]>('/v1/me/credentials');

/** Registers a new passkey with the browser and enrols it (audited in the tenant's chain with its public key). */
export async function enrolPasskey(api: Api, label: string): Promise<void> {
  const o = (
    await api.send<{
      challenge: string;
      rp: { id: string; name: string };
      user: { id: string; name: string; displayName: string };
      pubKeyCredParams: PublicKeyCredentialParameters[];
      excludeCredentials?: { id: string }[];
    }>('POST', '/v1/me/credentials/registration-options', {})
  ).body;
  const created = (await navigator.credentials.create({
    publicKey: {
      challenge: bytes(o.challenge),
      rp: o.rp,
      user: { id: bytes(o.user.id), name: o.user.name, displayName: o.user.displayName },
      pubKeyCredParams: o.pubKeyCredParams,
      excludeCredentials: (o.excludeCredentials ?? []).map((c) => ({ id: bytes(c.id), type: 'public-key' as const })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      attestation: 'none',
    },
  })) as PublicKeyCredential;
  const r = created.response as AuthenticatorAttestationResponse;
  const response = {
    id: created.id,
    rawId: b64u(created.rawId),
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: b64u(r.clientDataJSON),
      attestationObject: b64u(r.attestationObject),
      transports: r.getTransports?.() ?? [],
    },
  };
  await api.send('POST', '/v1/me/credentials', { kind: 'webauthn', label, response });
}

/** What a signed step approves: the action, the tenant (slug), its subject and the content hash. */
export interface SignedStep {
  action: 'change_request.approve' | 'seal.approve' | 'seal.lift' | 'seal.break_glass';
  tenant: string;
  subject: string;
  contentHash: string;
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The content hash of a seal step, as the service computes it: SHA-256 of the canonical JSON of the
 * seal as proposed, the purpose and the reason (keys sorted; strings, integers and null only, for
 * which JSON.stringify is the RFC 8785 form).
 */
export async function sealStepHash(
  seal: { tenantId: string; id: string; label: string; requiredApprovals: number },
  purpose: 'activate' | 'lift' | 'break_glass',
  reason: string | null,
): Promise<string> {
  const text = JSON.stringify({
    label: seal.label,
    purpose,
    reason,
    requiredApprovals: seal.requiredApprovals,
    seal: seal.id,
    tenant: seal.tenantId,
  });
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/**
 * Signs a step with one of the person's passkeys: the challenge is the SHA-256 of the canonical
 * statement {action, tenant, subject, content hash, approver, time}. Undefined when the person has
 * no passkey (the server then says whether the tenant accepts an unsigned approval).
 */
export async function signStep(api: Api, me: Me, step: SignedStep): Promise<PasskeySignature | undefined> {
  if (!passkeysSupported()) return undefined;
  const keys = (await credentials(api)).filter((c) => c.kind === 'webauthn' && c.credentialId);
  if (keys.length === 0) return undefined;
  const tenant = await api.tenant(step.tenant);
  const at = new Date().toISOString();
  // Every value is a string: JSON.stringify with the keys in sorted order is the RFC 8785 form.
  const statement = JSON.stringify({
    action: step.action,
    approver: me.id,
    at,
    contentHash: step.contentHash,
    subject: step.subject,
    tenant: tenant.id,
    type: 'cloison.approval/v1',
  });
  const challenge = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(statement));
  const got = (await navigator.credentials.get({
    publicKey: {
      challenge,
      allowCredentials: keys.map((k) => ({ id: bytes(k.credentialId as string), type: 'public-key' as const })),
      userVerification: 'required',
    },
  })) as PublicKeyCredential;
  const a = got.response as AuthenticatorAssertionResponse;
  const used = keys.find((k) => k.credentialId === got.id) ?? keys[0];
  return {
    kind: 'webauthn',
    key: (used as Credential).fingerprint,
    at,
    credentialId: got.id,
    authenticatorData: b64u(a.authenticatorData),
    clientDataJSON: b64u(a.clientDataJSON),
    signature: b64u(a.signature),
  };
}

/** Signs the approval of change request `r` (see signStep). */
export const signApproval = (api: Api, me: Me, r: ChangeRequest): Promise<PasskeySignature | undefined> =>
  signStep(api, me, { action: 'change_request.approve', tenant: r.tenant, subject: r.id, contentHash: r.contentHash });

/** The person's passkeys and a button to add one (shown where the browser can make them). */
export async function passkeysPanel(api: Api, panel: HTMLElement): Promise<void> {
  const list = await credentials(api);
  const feedback = h('div', { 'aria-live': 'polite' });
  const label = h('input', { id: 'passkey-label', value: t('passkeyDefaultLabel'), maxlength: 100 });
  const add = h('button', { type: 'button', 'data-action': 'add-passkey' }, t('passkeyAdd'));
  add.onclick = () => {
    add.disabled = true;
    void enrolPasskey(api, label.value.trim() || t('passkeyDefaultLabel')).then(
      () => passkeysPanel(api, panel),
      (err: unknown) => {
        add.disabled = false;
        feedback.replaceChildren(errorBox(err));
      },
    );
  };
  panel.replaceChildren(
    h('h2', { id: 'passkeys-title' }, t('passkeysTitle')),
    h('p', {}, t('passkeysIntro')),
    list.length
      ? h(
          'ul',
          { 'data-list': 'passkeys' },
          list.map((c) => h('li', { 'data-fingerprint': c.fingerprint }, c.label, ' ', h('code', {}, c.fingerprint.slice(0, 19)))),
        )
      : h('p', { class: 'muted' }, t('passkeysNone')),
    passkeysSupported()
      ? h('div', { class: 'field' }, h('label', { for: 'passkey-label' }, t('passkeyLabel')), label, add)
      : h('p', { class: 'muted' }, t('passkeysUnsupported')),
    feedback,
  );
}
