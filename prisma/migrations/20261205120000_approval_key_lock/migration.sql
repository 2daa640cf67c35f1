-- An approval holds the key it is signed with until it commits.
--
-- The key was read without a lock: a removal that committed while an approval was under way did
-- not stop it, so a key its owner had just removed (a lost laptop, say) could still sign, and the
-- tenant's chain then recorded the approval after the removal, which offline verification refuses
-- ("signed with a key removed earlier"). The approval now reads the one key it names and locks it
-- against the removal's update: a removal committed first leaves no live key to find (the approval
-- is refused), and a removal that comes second waits for the approval, whose event precedes it.
-- The lock is taken under the credentials' row security for updates: a key the transaction's tenant
-- scope may not update (another tenant's client admin's) is not returned, so it signs nothing there.
-- An approval locks its key before any tenant row it locks (the signed-approvals setting included).
-- `cloison_principal_credentials` stays, for instances of the previous release during an upgrade.
CREATE FUNCTION cloison_approval_credential(p_principal text, p_fingerprint text)
    RETURNS SETOF "credentials"
    LANGUAGE sql VOLATILE
    SET app.all_tenants = 'on'
    AS $$ SELECT * FROM credentials c
           WHERE c.principal_id = p_principal AND c.fingerprint = p_fingerprint AND c.removed_at IS NULL
             FOR NO KEY UPDATE $$;

GRANT EXECUTE ON FUNCTION cloison_approval_credential(text, text) TO cloison_app;
