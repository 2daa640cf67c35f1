-- Operations: the readiness check (GET /ready) compares the migrations on disk with the ones
-- the database has applied, as the application role.
GRANT SELECT ON "_prisma_migrations" TO cloison_app;
