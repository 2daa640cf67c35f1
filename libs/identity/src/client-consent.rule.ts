/**
 * Once a tenant has a client admin, who acts for it (its client admins, and the keys they sign
 * consent with) changes only with its consent: a change made by anyone but one of its client
 * admins waits for one of them to approve it. Before that, the operator setting the tenant up acts alone.
 */
export function needsClientConsent(actorRole: string, tenantHasClientAdmin: boolean): boolean {
  return actorRole !== 'client_admin' && tenantHasClientAdmin;
}
