import { buildPgliteTemplate, ensurePostgresTemplate } from './template-database.js';

// Run by the jest global set-up in a process of its own (the set-up cannot load the ESM sources).
const base = process.env.DATABASE_URL;
const built = base ? { postgres: await ensurePostgresTemplate(base) } : { pglite: await buildPgliteTemplate(false) };
process.stdout.write(`${JSON.stringify(built)}\n`);
