-- A new operator may be a person at the identity provider: the request names the account it will
-- be linked to, so the approver sees exactly which account becomes an operator.
ALTER TABLE "principal_requests" ADD COLUMN "oidc_issuer" TEXT, ADD COLUMN "oidc_subject" TEXT;
ALTER TABLE "principal_requests" ADD CONSTRAINT "principal_requests_oidc_check"
    CHECK (("oidc_issuer" IS NULL) = ("oidc_subject" IS NULL) AND ("oidc_issuer" IS NULL OR "kind" = 'operator'));
