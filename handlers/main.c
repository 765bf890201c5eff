/*
 * healthcode.fcgi: the FastCGI responder.  Loads the configuration,
 * refuses to start against a database with pending migrations, prepares
 * every statement and template once, then serves until SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fcgi/http.h"
#include "../fcgi/log.h"
#include "boot.h"
#include "routes.h"

/*
 * Started by systemd (conf/deploy/healthcode.socket): the listening
 * socket is fd 3, announced by LISTEN_PID and LISTEN_FDS.  libfcgi wants
 * it on fd 0, where spawn-fcgi and mod_fcgid put it.  Returns 0, or -1
 * when systemd passed something else.
 */
static int
socket_from_systemd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int rc = 0;

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid())
		return 0;
	if (strcmp(fds, "1") != 0 || dup2(3, STDIN_FILENO) == -1) {
		LOG("systemd passed LISTEN_FDS=%s: want one socket", fds);
		rc = -1;
	} else
		close(3);
	/* Not for children (sms_command). */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return rc;
}

/* Points stderr at path (nothing when NULL or empty); 0, or -1. */
static int
log_to(const char *path)
{
	int fd;

	if (path == NULL || *path == '\0')
		return 0;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	if (dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
main(void)
{
	struct app app = { 0 };
	struct buf err;
	int rc;

	/*
	 * Keep freed memory for the next request instead of handing it back
	 * at once: glibc's defaults shrank and regrew the heap (brk, page
	 * faults, a TLB flush on every core) around each write transaction
	 * and each QR code.  Fixed thresholds also keep the footprint flat.
	 */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	log_init("healthcode");
	if (socket_from_systemd() == -1)
		return 1;
	buf_init(&err);
	/*
	 * spawn-fcgi points stderr at /dev/null: log_file says where to log
	 * instead, from here on, so start-up refusals are seen too.  A
	 * configuration that cannot be read names no log_file: then the
	 * environment's HC_LOG_FILE, if any, hears why.
	 */
	if (boot_config(&app, &err) == -1) {
		(void)log_to(getenv("HC_LOG_FILE"));
		LOG("%s", buf_cstr(&err));
		goto fail;
	}
	if (log_to(app.conf.log_file) == -1) {
		LOG("%s: %s", app.conf.log_file, strerror(errno));
		goto fail;
	}
	if (boot_server(&app, &err) == -1 ||
	    app_metrics(&app, 1, &err) == -1) {
		LOG("%s", buf_cstr(&err));
		goto fail;
	}
	/* Checkpoints between requests (app_idle), none in a commit. */
	db_defer_checkpoints(app.db);
	buf_free(&err);
	/* Once, before any request: libcurl's global state (WeChat). */
	if (http_init() == -1) {
		LOG("cannot initialise libcurl");
		boot_close(&app);
		return 1;
	}
	server_on_done(app_done);
	rc = server_run(app_serve, app_idle, &app,
	    (int)app.conf.body_timeout * 1000);
	boot_close(&app);
	http_cleanup();
	return rc;
fail:
	buf_free(&err);
	boot_close(&app);
	return 1;
}
