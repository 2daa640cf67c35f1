/** Recorded beside `signedApprovals: true`: the tenant's seal steps need signatures too (checked offline from that event on). */
export const SEAL_STEPS_SIGNED = { signedSealSteps: true } as const;
