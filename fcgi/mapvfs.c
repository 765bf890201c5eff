/*
 * A VFS over SQLite's own ("unix") that keeps the database file's memory
 * map when another connection commits.
 *
 * SQLite starts every read transaction after another connection's commit
 * by dropping its page cache and unmapping the whole file (pager.c,
 * pagerBeginReadTransaction: xUnfetch(0, NULL)), in case another process
 * truncated the file and grew it back.  With two workers that both write,
 * that is every request: a map of the whole file was torn down and
 * faulted in again each time (slower than no map at all), so the map was
 * kept small and most pages of a province's database were read with a
 * pread and a copy each (docs/performance.md).
 *
 * On Linux a shared mapping of a file is the page cache itself: whatever
 * another process writes is what the map shows, and no map is invalid
 * while the file is no shorter than it.  So the unmap is passed on only
 * when the file's size differs from what it was when the last one was
 * passed on (it grew, as a checkpoint grows it, so that the new map
 * covers the new pages; or it shrank); otherwise the map stays, and so do
 * the pages it has faulted in.  SQLite reads no page past the snapshot's
 * own size, and a shorter file is always seen here before the next read
 * transaction reads from it.  Everything else goes to "unix" unchanged.
 */
#include <string.h>

#include <sqlite3.h>

#include "mapvfs.h"

struct mapfile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* "unix"'s file, right after this */
	sqlite3_int64	 size;		/* at the last unmap passed on; -1 */
	int		 main;		/* the main database file */
};

static sqlite3_vfs	*unixvfs;
static sqlite3_vfs	 vfs;
static sqlite3_io_methods methods;

#define REAL(f)	(((struct mapfile *)(f))->real)

static int
m_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods->xClose(REAL(f));

	f->pMethods = NULL;
	return rc;
}

static int
m_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
m_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int
m_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
m_sync(sqlite3_file *f, int flags)
{
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
m_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
m_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int
m_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int
m_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
m_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
m_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
m_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
m_shmmap(sqlite3_file *f, int region, int size, int extend,
    void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, p);
}

static int
m_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
m_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
m_shmunmap(sqlite3_file *f, int delete)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete);
}

static int
m_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	if (REAL(f)->pMethods->iVersion < 3) {
		*pp = NULL;	/* no map: SQLite reads the page */
		return SQLITE_OK;
	}
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
m_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	struct mapfile *m = (struct mapfile *)f;
	sqlite3_int64 size;

	if (REAL(f)->pMethods->iVersion < 3)
		return SQLITE_OK;
	/* The whole map (p NULL) of the main file at an unchanged size. */
	if (p == NULL && m->main &&
	    REAL(f)->pMethods->xFileSize(REAL(f), &size) == SQLITE_OK) {
		if (size == m->size)
			return SQLITE_OK;
		m->size = size;
	}
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int
v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct mapfile *m = (struct mapfile *)f;
	int rc;

	(void)v;
	memset(m, 0, sizeof(*m));
	m->real = (sqlite3_file *)(m + 1);
	m->size = -1;
	m->main = (flags & SQLITE_OPEN_MAIN_DB) != 0;
	rc = unixvfs->xOpen(unixvfs, name, m->real, flags, out);
	/* A file "unix" opened, even in failing, is closed through us. */
	if (m->real->pMethods != NULL)
		f->pMethods = &methods;
	return rc;
}

static int
v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return unixvfs->xDelete(unixvfs, name, sync);
}

static int
v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return unixvfs->xAccess(unixvfs, name, flags, out);
}

static int
v_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return unixvfs->xFullPathname(unixvfs, name, n, out);
}

static int
v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return unixvfs->xRandomness(unixvfs, n, out);
}

static int
v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return unixvfs->xSleep(unixvfs, us);
}

static int
v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return unixvfs->xCurrentTime(unixvfs, out);
}

static int
v_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return unixvfs->xGetLastError(unixvfs, n, out);
}

static int
v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return unixvfs->xCurrentTimeInt64(unixvfs, out);
}

const char *
mapvfs_name(void)
{
	if (unixvfs != NULL)
		return vfs.zName;
	if ((unixvfs = sqlite3_vfs_find("unix")) == NULL ||
	    unixvfs->iVersion < 2)
		return NULL;
	vfs.iVersion = 2;
	vfs.szOsFile = (int)sizeof(struct mapfile) + unixvfs->szOsFile;
	vfs.mxPathname = unixvfs->mxPathname;
	vfs.zName = "hc-keepmap";
	vfs.xOpen = v_open;
	vfs.xDelete = v_delete;
	vfs.xAccess = v_access;
	vfs.xFullPathname = v_fullpath;
	vfs.xRandomness = v_random;
	vfs.xSleep = v_sleep;
	vfs.xCurrentTime = v_time;
	vfs.xGetLastError = v_error;
	vfs.xCurrentTimeInt64 = v_time64;

	methods.iVersion = 3;
	methods.xClose = m_close;
	methods.xRead = m_read;
	methods.xWrite = m_write;
	methods.xTruncate = m_truncate;
	methods.xSync = m_sync;
	methods.xFileSize = m_size;
	methods.xLock = m_lock;
	methods.xUnlock = m_unlock;
	methods.xCheckReservedLock = m_reserved;
	methods.xFileControl = m_control;
	methods.xSectorSize = m_sector;
	methods.xDeviceCharacteristics = m_device;
	methods.xShmMap = m_shmmap;
	methods.xShmLock = m_shmlock;
	methods.xShmBarrier = m_shmbarrier;
	methods.xShmUnmap = m_shmunmap;
	methods.xFetch = m_fetch;
	methods.xUnfetch = m_unfetch;
	if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
		unixvfs = NULL;
		return NULL;
	}
	return vfs.zName;
}
