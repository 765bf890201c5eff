/*
 * Start-up and shut-down of a worker or of the CLI: the configuration
 * (typed into struct conf), the secrets, our keys and the trust list,
 * the database with every statement prepared, the templates and
 * catalogues, and the form options.
 */
#ifndef HC_BOOT_H
#define HC_BOOT_H

#include "ctx.h"

/* Loads configuration, clock and secrets' paths; 0 or -1 with err. */
int boot_config(struct app *a, struct buf *err);
/* Opens the database only (the CLI, before migrating); 0 or -1 with err. */
int boot_db(struct app *a, struct buf *err);
/*
 * Refuses to start on a full disk: less than BOOT_SPACE_MIN bytes free
 * where the database is (its WAL and index could not grow: every write
 * would fail).  0, or -1 with err saying so.
 */
#define BOOT_SPACE_MIN	(1 << 20)
int boot_space(struct app *a, struct buf *err);
/*
 * Refuses a database with pending migrations (naming them), then
 * prepares every statement; 0 or -1 with err.
 */
int boot_prepare(struct app *a, struct buf *err);
/*
 * Everything a server needs: the database (migrated, prepared), secrets,
 * keys, trust list, templates, catalogues and form options.  0 or -1.
 */
int boot_server(struct app *a, struct buf *err);
/* Writes what is pending and frees everything; safe after a failed boot. */
void boot_close(struct app *a);
/* Reads a 32-byte hex secret file; 0 or -1 with err. */
int boot_read_secret(const char *path, unsigned char key[32], struct buf *err);
/*
 * Registers on the database the SQL functions migrations call to
 * compute what SQL cannot (hc_phone_mac, hc_phone_masked, hc_phone_enc:
 * phone.h), with a's session and phone keys, which must be read first.
 * 0 or -1 with err.
 */
int boot_functions(struct app *a, struct buf *err);

#endif
