import type { Api } from './api.js';
import type { Me, OptionDefinition } from './types.js';

/** What every view gets: the API client of the signed-in user, who they are, and the registry. */
export interface ViewContext {
  api: Api;
  me: Me;
  registry: Map<string, OptionDefinition>;
  /** Draws the current route again (after a change). */
  refresh(): void;
  /** Says something in the page's status line (kept across a refresh, read by screen readers). */
  notify(message: string): void;
}

/** The registry title of an option in the chosen language, or its key for an option unknown here. */
export function titleOf(ctx: ViewContext, key: string | null, text: (d: OptionDefinition) => string): string {
  if (key === null) return '';
  const def = ctx.registry.get(key);
  return def ? text(def) : key;
}
