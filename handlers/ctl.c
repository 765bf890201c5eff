/*
 * healthcodectl: the operator's command line.  Uses the same
 * configuration (HC_CONFIG, HC_* overrides) and clock (HC_NOW) as the
 * server.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fcgi/clock.h"
#include "../fcgi/keyring.h"
#include "../fcgi/migrate.h"
#include "audit.h"
#include "boot.h"
#include "cases.h"
#include "retention.h"
#include "roles.h"
#include "routes.h"
#include "valid.h"

static const char usage[] =
    "usage: healthcodectl COMMAND [ARGS]\n"
    "\n"
    "  init                  create the data directory and any missing secrets\n"
    "  keygen                add a new ES256 signing key (the newest signs;\n"
    "                        keep older ones until their codes expire)\n"
    "  migrate               apply pending migrations\n"
    "  migrate status        list applied and pending migrations\n"
    "  purge [--dry-run]     delete what the retention rules say has expired\n"
    "                        (for cron; the server also does it daily) and\n"
    "                        print the rows per class; --dry-run only counts\n"
    "  grant PHONE ROLE      give a role (checker, admin) to a phone number;\n"
    "                        works before the phone has ever signed in\n"
    "  revoke PHONE ROLE     take a role away (each change is audited,\n"
    "                        with the actor \"cli\")\n"
    "  import-cases FILE     import a case list (CSV, as POST\n"
    "                        /api/v1/admin/cases takes it): every row or\n"
    "                        none; prints the counts, or the bad rows\n"
    "                        and exits 1\n"
    "  audit-verify          check the audit chain; exit 1 if it is broken\n"
    "  backup [--force] FILE a consistent copy of the live database (the\n"
    "                        workers may go on serving), mode 0600; an\n"
    "                        existing FILE is replaced only with --force\n"
    "  help                  this text\n"
    "\n"
    "Configuration: HC_CONFIG names the file; HC_<KEY> overrides a key.\n"
    "HC_NOW (epoch seconds or ISO 8601) overrides the clock.\n";

/* Creates path with 32 random bytes in hex, mode 0600, unless it exists. */
static int
make_secret(const char *path)
{
	unsigned char key[32];
	struct buf hex;
	int fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1) {
		if (errno == EEXIST)
			return 0;
		fprintf(stderr, "healthcodectl: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	rand_bytes(key, sizeof(key));
	buf_init(&hex);
	hex_encode(&hex, key, sizeof(key));
	buf_putc(&hex, '\n');
	if (write(fd, hex.ptr, hex.len) != (ssize_t)hex.len || close(fd)) {
		fprintf(stderr, "healthcodectl: %s: %s\n", path,
		    strerror(errno));
		rc = -1;
	} else
		printf("created %s\n", path);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(hex.ptr, hex.len);
	buf_free(&hex);
	return rc;
}

static int
cmd_keygen(struct app *a)
{
	char kid[KID_MAX + 1];
	struct buf err;
	int rc = 0;

	buf_init(&err);
	if (keyring_generate(a->conf.keys_dir, kid, &err)) {
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
		rc = 1;
	} else
		printf("new signing key %s\n", kid);
	buf_free(&err);
	return rc;
}

static int
cmd_init(struct app *a)
{
	struct keyring r = { 0 };
	struct buf err;
	int have;

	if (mkdir(a->conf.data_dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "healthcodectl: %s: %s\n",
		    a->conf.data_dir, strerror(errno));
		return 1;
	}
	if (make_secret(a->conf.session_key_file) == -1 ||
	    make_secret(a->conf.id_key_file) == -1 ||
	    make_secret(a->conf.phone_key_file) == -1)
		return 1;
	/* The first signing key, unless there is one. */
	buf_init(&err);
	have = keyring_load_dir(&r, a->conf.keys_dir, &err) == 0 &&
	    keyring_signer(&r) != NULL;
	keyring_free(&r);
	buf_free(&err);
	return have ? 0 : cmd_keygen(a);
}

/*
 * The keys the migrations' SQL functions compute with (boot_functions),
 * read and registered: 0, or -1 with err.
 */
static int
migrate_keys(struct app *a, struct buf *err)
{
	if (boot_read_secret(a->conf.session_key_file, a->session_key,
	    err) == -1 || boot_read_secret(a->conf.phone_key_file,
	    a->phone_key, err) == -1)
		return -1;
	return boot_functions(a, err);
}

static int
cmd_migrate(struct app *a, int status)
{
	struct buf log, err, pending;
	int n, rc = 1;

	buf_init(&log);
	buf_init(&err);
	buf_init(&pending);
	if (status) {
		n = migrate_check(a->db, migrations, migrations_count,
		    &pending, &err);
		if (n >= 0) {
			printf("schema version %d; %zu migration(s) known\n",
			    migrate_version(a->db), migrations_count);
			if (n)
				printf("pending: %s\n", pending.ptr);
			else
				printf("up to date\n");
			rc = n ? 3 : 0;
		}
	} else if ((n = migrate_keys(a, &err)) == 0) {
		n = migrate_up(a->db, migrations, migrations_count,
		    clock_now(), &log, &err);
		if (n >= 0) {
			fputs(buf_cstr(&log), stdout);
			printf("schema version %d\n", migrate_version(a->db));
			rc = 0;
		}
		/* What a migration removed (0015: the phones) leaves the WAL. */
		if (n > 0 && db_checkpoint(a->db) == -1)
			fprintf(stderr, "healthcodectl: the WAL checkpoint did "
			    "not complete (readers); the next one will\n");
	}
	if (n < 0)
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
	buf_free(&log);
	buf_free(&err);
	buf_free(&pending);
	return rc;
}

static int
cmd_purge(struct app *a, int dry_run)
{
	struct buf out, err;
	int rc = 0;

	buf_init(&out);
	buf_init(&err);
	/* Counted where the workers count, if they made the file. */
	if (!dry_run && app_metrics(a, 0, &err) == -1) {
		fprintf(stderr, "healthcodectl: %s; this purge is not in the "
		    "metrics\n", buf_cstr(&err));
		buf_reset(&err);
	}
	if (boot_prepare(a, &err) == -1) {
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
		rc = 1;
	} else if (retention_purge_all(a, clock_now(), dry_run, &out) == -1) {
		fputs(buf_cstr(&out), stdout);
		fprintf(stderr, "healthcodectl: purge failed (see above)\n");
		rc = 1;
	} else {
		printf("%s", dry_run ? "would delete:\n" : "deleted:\n");
		fputs(buf_cstr(&out), stdout);
	}
	buf_free(&out);
	buf_free(&err);
	return rc;
}

/* Copies the live database to path (db_backup); 0, or 1 with a reason. */
static int
cmd_backup(struct app *a, const char *path, int replace)
{
	struct stat st;
	struct buf err;
	int rc;

	buf_init(&err);
	rc = db_backup(a->db, path, replace, &err);
	if (rc == -2)
		fprintf(stderr, "healthcodectl: backup: %s (--force replaces "
		    "it)\n", buf_cstr(&err));
	else if (rc == -1)
		fprintf(stderr, "healthcodectl: backup: %s\n", buf_cstr(&err));
	else if (stat(path, &st) == -1)
		fprintf(stderr, "healthcodectl: backup: %s: %s\n", path,
		    strerror(errno));
	else
		printf("backup %s: %lld bytes, schema version %d\n", path,
		    (long long)st.st_size, migrate_version(a->db));
	buf_free(&err);
	return rc == 0 ? 0 : 1;
}

/* Prints what GET /api/v1/admin/audit/verify answers; 0 ok, 1 broken. */
static int
cmd_audit_verify(struct app *a)
{
	struct audit_check ck;
	struct buf err;
	int rc;

	buf_init(&err);
	if (boot_prepare(a, &err) == -1) {
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
		buf_free(&err);
		return 1;
	}
	buf_free(&err);
	db_read_begin(a->db);
	rc = audit_verify(a, clock_now(), &ck);
	db_read_end(a->db);
	if (rc == -1) {
		fprintf(stderr, "healthcodectl: cannot read the audit log\n");
		return 1;
	}
	if (ck.ok) {
		printf("audit chain ok: %lld entries\n", (long long)ck.entries);
		return 0;
	}
	printf("audit chain BROKEN at entry %lld (%lld entries)\n",
	    (long long)ck.first_broken, (long long)ck.entries);
	return 1;
}

/* The audit entry of a role change from the command line; 0 or -1. */
static int
role_audit(struct app *a, time_t now, int grant, const char *phone,
    const char *role)
{
	cJSON *d = cJSON_CreateObject();
	char subject[65];
	int rc;

	audit_subject(a, "phone", phone, subject);
	cJSON_AddStringToObject(d, "role", role);
	rc = audit_add(a, now, "cli", grant ? "role.grant" : "role.revoke",
	    subject, d);
	cJSON_Delete(d);
	return rc;
}

/* Grants or revokes a role, audited with the actor "cli". */
static int
cmd_role(struct app *a, int grant, const char *phone, const char *role)
{
	struct buf err;
	char masked[12];
	unsigned bit;
	time_t now;
	int rc = 1, done;

	if (!valid_phone(phone)) {
		fprintf(stderr, "healthcodectl: %s: not a mainland mobile "
		    "number\n", phone);
		return 2;
	}
	if ((bit = role_parse(role)) == 0) {
		fprintf(stderr, "healthcodectl: role must be checker or "
		    "admin\n");
		return 2;
	}
	buf_init(&err);
	mask_phone(phone, masked);
	/*
	 * The session key names the audit entry's subject and the account
	 * (phone.h); the phone key seals the number of one made here.
	 */
	if (boot_prepare(a, &err) == -1 || boot_read_secret(
	    a->conf.session_key_file, a->session_key, &err) == -1 ||
	    boot_read_secret(a->conf.phone_key_file, a->phone_key,
	    &err) == -1) {
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
		goto out;
	}
	if (db_begin(a->db) == -1)
		goto dberr;
	now = clock_now();
	done = grant ? role_grant(a, now, phone, bit) :
	    role_revoke(a, phone, bit);
	if (done == -1 || (done == 1 && role_audit(a, now, grant, phone,
	    role) == -1) || db_commit(a->db) == -1)
		goto dberr;
	if (done)
		printf("%s %s %s %s\n", grant ? "granted" : "revoked", role,
		    grant ? "to" : "from", masked);
	else
		printf("%s %s the role %s\n", masked, grant ? "already has" :
		    "does not have", role);
	rc = 0;
	goto out;
dberr:
	db_rollback(a->db);
	fprintf(stderr, "healthcodectl: database error\n");
out:
	buf_free(&err);
	return rc;
}

/* Shows the import's progress on a terminal: "\rchecked 12000/100000 rows". */
static void
import_progress(void *arg, const char *phase, size_t done, size_t total)
{
	(void)arg;
	fprintf(stderr, "\r%s %zu/%zu rows", phase, done,
	    total > done ? total : done);
	if (strcmp(phase, "imported") == 0 && done == total)
		fputc('\n', stderr);
}

static int
cmd_import_cases(struct app *a, const char *path)
{
	struct cases_result r;
	struct ctx c;
	struct buf data, err;
	size_t i;
	int st, rc = 1;

	buf_init(&data);
	buf_init(&err);
	memset(&r, 0, sizeof(r));
	if (read_file(path, &data) == -1) {
		fprintf(stderr, "healthcodectl: %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	if (boot_prepare(a, &err) == -1 || boot_read_secret(
	    a->conf.id_key_file, a->id_key, &err) == -1 ||
	    boot_read_secret(a->conf.session_key_file, a->session_key,
	    &err) == -1) {
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.app = a;
	c.now = clock_now();
	c.lang = LANG_EN;
	st = cases_import(&c, data.ptr != NULL ? data.ptr : "", data.len,
	    "cli", isatty(STDERR_FILENO) ? import_progress : NULL, NULL, &r);
	if (st == 0) {
		printf("imported %lld rows:", r.imported);
		for (i = 0; i < CASE__MAX; i++)
			printf(" %s %lld", case_kind_name((enum case_kind)i),
			    r.counts[i]);
		if (r.duplicates > 0)
			printf(" (%lld repeated rows merged)", r.duplicates);
		printf("\n");
		rc = 0;
	} else if (st == 500)
		fprintf(stderr, "healthcodectl: database error; nothing "
		    "imported\n");
	else {
		if (isatty(STDERR_FILENO))
			fputc('\n', stderr);
		fprintf(stderr, "healthcodectl: %s: %s", path, r.code);
		if (st == 413)
			fprintf(stderr, " (at most %lld rows)", r.rows_max);
		if (r.invalid > 0)
			fprintf(stderr, " (%lld bad lines)", r.invalid);
		fprintf(stderr, "; nothing imported\n");
		for (i = 0; i < r.nproblems; i++) {
			fprintf(stderr, "line %zu", r.problems[i].line);
			if (r.problems[i].column > 0)
				fprintf(stderr, ", column %zu",
				    r.problems[i].column);
			if (r.problems[i].field != NULL)
				fprintf(stderr, ": %s", r.problems[i].field);
			fprintf(stderr, ": %s\n", r.problems[i].reason);
		}
		if (r.truncated)
			fprintf(stderr, "(only the first %d problems are "
			    "listed)\n", CASES_PROBLEMS_MAX);
	}
out:
	cases_result_free(&r);
	if (data.ptr != NULL)
		explicit_bzero(data.ptr, data.len);
	buf_free(&data);
	buf_free(&err);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct app app = { 0 };
	struct buf err;
	const char *cmd = argc > 1 ? argv[1] : "help";
	int rc = 2;

	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "--help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	/* As the responder does (main.c): an import of 100,000 rows spent
	 * most of its time growing and trimming the heap, three brk a row. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	buf_init(&err);
	if (boot_config(&app, &err) == -1) {
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
		rc = 1;
		goto out;
	}
	if (strcmp(cmd, "init") == 0 && argc == 2) {
		rc = cmd_init(&app);
		goto out;
	}
	if (strcmp(cmd, "keygen") == 0 && argc == 2) {
		rc = cmd_keygen(&app);
		goto out;
	}
	if (strcmp(cmd, "migrate") != 0 && strcmp(cmd, "grant") != 0 &&
	    strcmp(cmd, "revoke") != 0 && strcmp(cmd, "purge") != 0 &&
	    strcmp(cmd, "import-cases") != 0 &&
	    strcmp(cmd, "audit-verify") != 0 && strcmp(cmd, "backup") != 0)
		goto usage;
	/* What writes, refused on a full disk; a backup may go elsewhere. */
	if ((strcmp(cmd, "backup") != 0 && strcmp(cmd, "audit-verify") != 0 &&
	    boot_space(&app, &err) == -1) || boot_db(&app, &err) == -1) {
		fprintf(stderr, "healthcodectl: %s\n", buf_cstr(&err));
		rc = 1;
		goto out;
	}
	if (strcmp(cmd, "migrate") == 0 && argc == 2)
		rc = cmd_migrate(&app, 0);
	else if (strcmp(cmd, "migrate") == 0 && argc == 3 &&
	    strcmp(argv[2], "status") == 0)
		rc = cmd_migrate(&app, 1);
	else if (strcmp(cmd, "migrate") == 0 && argc == 3 &&
	    strcmp(argv[2], "up") == 0)
		rc = cmd_migrate(&app, 0);
	else if (strcmp(cmd, "purge") == 0 && argc == 2)
		rc = cmd_purge(&app, 0);
	else if (strcmp(cmd, "purge") == 0 && argc == 3 &&
	    strcmp(argv[2], "--dry-run") == 0)
		rc = cmd_purge(&app, 1);
	else if ((strcmp(cmd, "grant") == 0 || strcmp(cmd, "revoke") == 0) &&
	    argc == 4)
		rc = cmd_role(&app, cmd[0] == 'g', argv[2], argv[3]);
	else if (strcmp(cmd, "import-cases") == 0 && argc == 3)
		rc = cmd_import_cases(&app, argv[2]);
	else if (strcmp(cmd, "audit-verify") == 0 && argc == 2)
		rc = cmd_audit_verify(&app);
	else if (strcmp(cmd, "backup") == 0 && argc == 3 &&
	    argv[2][0] != '-')
		rc = cmd_backup(&app, argv[2], 0);
	else if (strcmp(cmd, "backup") == 0 && argc == 4 &&
	    strcmp(argv[2], "--force") == 0)
		rc = cmd_backup(&app, argv[3], 1);
	else
		goto usage;
	goto out;
usage:
	fputs(usage, stderr);
	rc = 2;
out:
	boot_close(&app);
	buf_free(&err);
	return rc;
}
