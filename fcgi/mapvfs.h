#ifndef MAPVFS_H
#define MAPVFS_H
/*
 * SQLite's "unix" VFS, but the database file's memory map survives other
 * connections' commits while the file keeps its size (mapvfs.c).
 */

/* Registers the VFS once; its name for sqlite3_open_v2, or NULL. */
const char	*mapvfs_name(void);

#endif
