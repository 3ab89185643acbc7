/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The passkey store, through mod_dbd's pooled connections. Statements are
 * prepared on each connection the first time this module uses it, after
 * creating the schema when the driver is SQLite: preparing them at
 * start-up (ap_dbd_prepare) would fail on a new SQLite file, and mod_dbd's
 * post_connect hook would tie this module's loading to mod_dbd's. The same
 * statements serve SQLite and PostgreSQL.
 */
#include <httpd.h>
#include <apr_dbd.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <mod_dbd.h>

#include "mod_stepup.h"
#include "stepup_assets.h"

#define COLUMNS "credential_id, user_name, public_key, alg, sign_count, " \
                "aaguid, backup_eligible, backup_state, transports, fmt, " \
                "attestation_trusted, level, name, created, last_used"

enum {
    ST_LIST, ST_GET, ST_ADD, ST_USED, ST_DELETE, ST_RENAME, ST_COUNT
};

static const struct {
    const char *label;
    const char *sql;
} statements[ST_COUNT] = {
    { "stepup_list", "SELECT " COLUMNS " FROM stepup_credentials "
      "WHERE user_name = %s ORDER BY created, credential_id" },
    { "stepup_get", "SELECT " COLUMNS " FROM stepup_credentials "
      "WHERE credential_id = %s" },
    { "stepup_add", "INSERT INTO stepup_credentials (" COLUMNS ") VALUES "
      "(%s, %s, %s, %d, %lld, %s, %d, %d, %s, %s, %d, %s, %s, %lld, %lld)" },
    { "stepup_used", "UPDATE stepup_credentials SET sign_count = %lld, "
      "backup_state = %d, level = %s, last_used = %lld "
      "WHERE credential_id = %s AND user_name = %s AND sign_count = %lld" },
    { "stepup_delete", "DELETE FROM stepup_credentials "
      "WHERE credential_id = %s AND user_name = %s" },
    { "stepup_rename", "UPDATE stepup_credentials SET name = %s "
      "WHERE credential_id = %s AND user_name = %s" },
};

#define READY_KEY "stepup_ready"

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;

void stepup_store_retrieve_fns(void)
{
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
}

int stepup_store_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    if (!dbd_acquire)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, "STEPUP0041: mod_dbd "
                     "is not loaded: passkeys are off (password step-up "
                     "works); to use them, load mod_dbd and set DBDriver "
                     "and DBDParams");
    return OK;
}

int stepup_store_configured(void)
{
    return dbd_acquire != NULL;
}

static void log_db_error(request_rec *r, ap_dbd_t *dbd, int rv,
                         const char *what)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "STEPUP0040: passkey store: "
                  "%s failed: %s", what,
                  dbd ? apr_dbd_error(dbd->driver, dbd->handle, rv)
                      : "no database connection (is DBDriver set?)");
}

/* SQLite only: the statements of conf/schema.sql, one at a time. */
static int create_schema(request_rec *r, ap_dbd_t *dbd)
{
    char *sql = apr_pstrdup(r->pool, stepup_asset_schema_sql), *stmt, *last;
    int nrows, rv;

    for (stmt = apr_strtok(sql, ";", &last); stmt;
         stmt = apr_strtok(NULL, ";", &last)) {
        if (!strstr(stmt, "CREATE"))
            continue; /* the comments after the last statement */
        if ((rv = apr_dbd_query(dbd->driver, dbd->handle, &nrows, stmt))) {
            log_db_error(r, dbd, rv, "creating the schema");
            return -1;
        }
    }
    return 0;
}

/* SQLite only: write-ahead logging. Each change then costs one fsync of
 * the log instead of two (the rollback journal, then the database), with
 * the same durability, and readers do not wait for a writer. The mode is
 * kept in the database file; a database that cannot change it (a
 * read-only directory) keeps its journal, which still works. */
static void sqlite_wal(request_rec *r, ap_dbd_t *dbd)
{
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *mode = NULL;

    if (apr_dbd_select(dbd->driver, r->pool, dbd->handle, &res,
                       "PRAGMA journal_mode=WAL", 0) == 0) {
        /* read to the end: that finishes the statement */
        while (apr_dbd_get_row(dbd->driver, r->pool, res, &row, -1) == 0) {
            const char *v = apr_dbd_get_entry(dbd->driver, row, 0);

            if (!mode && v)
                mode = apr_pstrdup(r->pool, v);
        }
    }
    if (!mode || strcasecmp(mode, "wal") != 0)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "STEPUP0043: the SQLite "
                      "passkey store keeps journal mode %s (WAL refused)",
                      mode ? ap_escape_logitem(r->pool, mode) : "?");
}

/* A connection with this module's statements prepared on it. */
static ap_dbd_t *connection(request_rec *r)
{
    ap_dbd_t *dbd = dbd_acquire ? dbd_acquire(r) : NULL;
    int i, rv;

    if (!dbd) {
        log_db_error(r, NULL, 0, "connecting");
        return NULL;
    }
    if (apr_hash_get(dbd->prepared, READY_KEY, APR_HASH_KEY_STRING))
        return dbd;
    if (!strcmp(apr_dbd_name(dbd->driver), "sqlite3")) {
        if (create_schema(r, dbd) != 0)
            return NULL;
        sqlite_wal(r, dbd);
    }
    for (i = 0; i < ST_COUNT; i++) {
        apr_dbd_prepared_t *st = NULL;

        /* the connection's pool: prepared once per pooled connection */
        rv = apr_dbd_prepare(dbd->driver, dbd->pool, dbd->handle,
                             statements[i].sql, statements[i].label, &st);
        if (rv) {
            log_db_error(r, dbd, rv, apr_psprintf(r->pool, "preparing %s",
                                                  statements[i].label));
            return NULL;
        }
        apr_hash_set(dbd->prepared, statements[i].label, APR_HASH_KEY_STRING,
                     st);
    }
    apr_hash_set(dbd->prepared, READY_KEY, APR_HASH_KEY_STRING, dbd);
    return dbd;
}

static apr_dbd_prepared_t *statement(ap_dbd_t *dbd, int which)
{
    return apr_hash_get(dbd->prepared, statements[which].label,
                        APR_HASH_KEY_STRING);
}

static const char *num(request_rec *r, apr_int64_t v)
{
    return apr_psprintf(r->pool, "%" APR_INT64_T_FMT, v);
}

static apr_int64_t entry_int(ap_dbd_t *dbd, apr_dbd_row_t *row, int col)
{
    const char *v = apr_dbd_get_entry(dbd->driver, row, col);

    return v ? apr_atoi64(v) : 0;
}

static const char *entry_str(request_rec *r, ap_dbd_t *dbd,
                             apr_dbd_row_t *row, int col)
{
    const char *v = apr_dbd_get_entry(dbd->driver, row, col);

    return apr_pstrdup(r->pool, v ? v : "");
}

static stepup_credential *read_row(request_rec *r, ap_dbd_t *dbd,
                                   apr_dbd_row_t *row)
{
    stepup_credential *c = apr_pcalloc(r->pool, sizeof(*c));
    const char *level;

    c->id = entry_str(r, dbd, row, 0);
    c->user = entry_str(r, dbd, row, 1);
    c->public_key = entry_str(r, dbd, row, 2);
    c->alg = (int)entry_int(dbd, row, 3);
    c->sign_count = entry_int(dbd, row, 4);
    c->aaguid = entry_str(r, dbd, row, 5);
    c->backup_eligible = entry_int(dbd, row, 6) != 0;
    c->backup_state = entry_int(dbd, row, 7) != 0;
    c->transports = entry_str(r, dbd, row, 8);
    c->fmt = entry_str(r, dbd, row, 9);
    c->attestation_trusted = entry_int(dbd, row, 10) != 0;
    level = entry_str(r, dbd, row, 11);
    if (stepup_acr_parse(level, strlen(level), &c->level) != 0
        || c->level < STEPUP_ACR_PHR)
        c->level = STEPUP_ACR_PHR; /* a damaged row is never high assurance */
    /* phrh needs a trusted attestation and BE clear (doc/assurance.md
     * section 4); a row stored phrh without them (an AAGUID claim, as
     * builds before 2026-12-06 stored them; NEWS) is phr wherever it is
     * read */
    if (c->level == STEPUP_ACR_PHRH
        && (!c->attestation_trusted || c->backup_eligible))
        c->level = STEPUP_ACR_PHR;
    c->name = entry_str(r, dbd, row, 12);
    c->created = entry_int(dbd, row, 13);
    c->last_used = entry_int(dbd, row, 14);
    return c;
}

/* Runs a SELECT and collects every row. */
static stepup_store_status select_rows(request_rec *r, int which,
                                       const char *arg,
                                       apr_array_header_t **out)
{
    ap_dbd_t *dbd = connection(r);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    int rv;

    if (!dbd)
        return STEPUP_STORE_UNAVAILABLE;
    /* random access: the driver fetches every row now and reports a
     * failed query here; sequential results turn errors into "no rows" */
    rv = apr_dbd_pselect(dbd->driver, r->pool, dbd->handle, &res,
                         statement(dbd, which), 1, 1, &arg);
    if (rv) {
        log_db_error(r, dbd, rv, statements[which].label);
        return STEPUP_STORE_UNAVAILABLE;
    }
    *out = apr_array_make(r->pool, 4, sizeof(stepup_credential *));
    while ((rv = apr_dbd_get_row(dbd->driver, r->pool, res, &row, -1)) == 0)
        APR_ARRAY_PUSH(*out, stepup_credential *) = read_row(r, dbd, row);
    if (rv != -1) {
        log_db_error(r, dbd, rv, statements[which].label);
        return STEPUP_STORE_UNAVAILABLE;
    }
    return STEPUP_STORE_OK;
}

stepup_store_status stepup_store_list(request_rec *r, const char *user,
                                      apr_array_header_t **out)
{
    return select_rows(r, ST_LIST, user, out);
}

stepup_store_status stepup_store_get(request_rec *r, const char *id,
                                     stepup_credential **out)
{
    apr_array_header_t *rows;
    stepup_store_status st = select_rows(r, ST_GET, id, &rows);

    if (st != STEPUP_STORE_OK)
        return st;
    if (rows->nelts != 1)
        return STEPUP_STORE_NOT_FOUND;
    *out = APR_ARRAY_IDX(rows, 0, stepup_credential *);
    return STEPUP_STORE_OK;
}

/* Runs an INSERT/UPDATE/DELETE; *nrows is what it touched. */
static stepup_store_status change(request_rec *r, ap_dbd_t *dbd, int which,
                                  int *nrows, const char **args, int nargs)
{
    int rv = apr_dbd_pquery(dbd->driver, r->pool, dbd->handle, nrows,
                            statement(dbd, which), nargs, args);

    if (rv) {
        log_db_error(r, dbd, rv, statements[which].label);
        return STEPUP_STORE_UNAVAILABLE;
    }
    return STEPUP_STORE_OK;
}

stepup_store_status stepup_store_add(request_rec *r,
                                     const stepup_credential *c)
{
    ap_dbd_t *dbd = connection(r);
    stepup_credential *existing;
    stepup_store_status st;
    int nrows = 0;

    if (!dbd)
        return STEPUP_STORE_UNAVAILABLE;
    /* an id registered to anyone is refused; the primary key also holds
     * against a concurrent insert */
    st = stepup_store_get(r, c->id, &existing);
    if (st == STEPUP_STORE_OK)
        return STEPUP_STORE_CONFLICT;
    if (st != STEPUP_STORE_NOT_FOUND)
        return st;
    {
        const char *args[] = {
            c->id, c->user, c->public_key, num(r, c->alg),
            num(r, c->sign_count), c->aaguid, num(r, c->backup_eligible),
            num(r, c->backup_state), c->transports, c->fmt,
            num(r, c->attestation_trusted), stepup_acr_name(c->level),
            c->name, num(r, c->created), num(r, c->last_used)
        };
        st = change(r, dbd, ST_ADD, &nrows, args, 15);
    }
    if (st == STEPUP_STORE_OK && nrows != 1)
        return STEPUP_STORE_CONFLICT;
    return st;
}

stepup_store_status stepup_store_used(request_rec *r,
                                      const stepup_credential *c,
                                      apr_int64_t sign_count,
                                      int backup_state, stepup_acr level,
                                      apr_int64_t now)
{
    ap_dbd_t *dbd = connection(r);
    stepup_store_status st;
    int nrows = 0;

    if (!dbd)
        return STEPUP_STORE_UNAVAILABLE;
    {
        const char *args[] = {
            num(r, sign_count), num(r, backup_state), stepup_acr_name(level),
            num(r, now), c->id, c->user, num(r, c->sign_count)
        };
        st = change(r, dbd, ST_USED, &nrows, args, 7);
    }
    if (st == STEPUP_STORE_OK && nrows != 1)
        return STEPUP_STORE_CONFLICT;
    return st;
}

stepup_store_status stepup_store_delete(request_rec *r, const char *user,
                                        const char *id)
{
    ap_dbd_t *dbd = connection(r);
    stepup_store_status st;
    int nrows = 0;

    if (!dbd)
        return STEPUP_STORE_UNAVAILABLE;
    {
        const char *args[] = { id, user };
        st = change(r, dbd, ST_DELETE, &nrows, args, 2);
    }
    if (st == STEPUP_STORE_OK && nrows == 0)
        return STEPUP_STORE_NOT_FOUND;
    return st;
}

stepup_store_status stepup_store_rename(request_rec *r, const char *user,
                                        const char *id, const char *name)
{
    ap_dbd_t *dbd = connection(r);
    stepup_store_status st;
    int nrows = 0;

    if (!dbd)
        return STEPUP_STORE_UNAVAILABLE;
    {
        const char *args[] = { name, id, user };
        st = change(r, dbd, ST_RENAME, &nrows, args, 3);
    }
    if (st == STEPUP_STORE_OK && nrows == 0)
        return STEPUP_STORE_NOT_FOUND;
    return st;
}
