-- SPDX-License-Identifier: Apache-2.0
-- mod_stepup passkey store (mod_dbd). SQLite gets this schema automatically
-- on first use. For PostgreSQL, run it once:  psql -f conf/schema.sql DB
-- (The module runs it statement by statement, split at semicolons: keep
-- them out of comments.)
--
-- Sizes: every column holds the largest value the module accepts. A
-- credential ID is at most 1023 bytes (WebAuthn), 1364 in base64url. The
-- public key, the transports and the user name are TEXT: an RSA key of up
-- to 16384 bits is a COSE_Key of about 2.1 kB (2.8 kB in base64url), 16
-- transports of up to 32 characters are 527, and a user name is whatever
-- the primary sign-in says. (SQLite ignores the sizes, PostgreSQL refuses
-- a longer value, and the registration with it.)
-- A PostgreSQL table made by an older copy of this file is brought up to
-- these sizes by, in psql:
--   ALTER TABLE stepup_credentials ALTER COLUMN public_key TYPE TEXT,
--     ALTER COLUMN transports TYPE TEXT, ALTER COLUMN user_name TYPE TEXT
CREATE TABLE IF NOT EXISTS stepup_credentials (
    credential_id       VARCHAR(1400) PRIMARY KEY,  -- base64url, unpadded
    user_name           TEXT          NOT NULL,
    public_key          TEXT          NOT NULL,     -- COSE_Key, base64url
    alg                 INTEGER       NOT NULL,     -- -7 ES256, -257 RS256, -8 EdDSA
    sign_count          BIGINT        NOT NULL,
    aaguid              CHAR(32)      NOT NULL,     -- hex
    backup_eligible     INTEGER       NOT NULL,
    backup_state        INTEGER       NOT NULL,
    transports          TEXT          NOT NULL,     -- comma-separated
    fmt                 VARCHAR(32)   NOT NULL,     -- attestation format
    attestation_trusted INTEGER       NOT NULL,
    level               VARCHAR(8)    NOT NULL,     -- phr or phrh
    name                VARCHAR(128)  NOT NULL,
    created             BIGINT        NOT NULL,     -- seconds since the epoch
    last_used           BIGINT        NOT NULL      -- 0: never
);
CREATE INDEX IF NOT EXISTS stepup_credentials_user
    ON stepup_credentials (user_name);
