-- mod_stepup passkey store (mod_dbd). SQLite gets this schema automatically
-- on first use. For PostgreSQL, run it once:  psql -f conf/schema.sql DB
-- (The module runs it statement by statement, split at semicolons: keep
-- them out of comments.)
CREATE TABLE IF NOT EXISTS stepup_credentials (
    credential_id       VARCHAR(1400) PRIMARY KEY,  -- base64url, unpadded
    user_name           VARCHAR(255)  NOT NULL,
    public_key          VARCHAR(2048) NOT NULL,     -- COSE_Key, base64url
    alg                 INTEGER       NOT NULL,     -- -7 ES256, -257 RS256, -8 EdDSA
    sign_count          BIGINT        NOT NULL,
    aaguid              CHAR(32)      NOT NULL,     -- hex
    backup_eligible     INTEGER       NOT NULL,
    backup_state        INTEGER       NOT NULL,
    transports          VARCHAR(255)  NOT NULL,     -- comma-separated
    fmt                 VARCHAR(32)   NOT NULL,     -- attestation format
    attestation_trusted INTEGER       NOT NULL,
    level               VARCHAR(8)    NOT NULL,     -- phr or phrh
    name                VARCHAR(128)  NOT NULL,
    created             BIGINT        NOT NULL,     -- seconds since the epoch
    last_used           BIGINT        NOT NULL      -- 0: never
);
CREATE INDEX IF NOT EXISTS stepup_credentials_user
    ON stepup_credentials (user_name);
