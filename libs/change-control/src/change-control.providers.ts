import { CatalogDefaultsReconciler } from './catalog-defaults.reconciler.js';
import { CatalogHistory } from './catalog-history.js';
import { ChangeGate } from './change.gate.js';
import { ChangeRequestStore } from './change-request.store.js';
import { ChangeRequests } from './change-requests.service.js';
import { OptionStore } from './option-store.js';

/** Providers of the capability; OptionStore is registered here but exported nowhere else. */
export const CHANGE_CONTROL_PROVIDERS = [
  OptionStore,
  ChangeRequestStore,
  ChangeGate,
  ChangeRequests,
  CatalogHistory,
  CatalogDefaultsReconciler,
];
