/**
 * Leases and space accounting, kept in an SQLite file with a write-ahead log so that every
 * committed operation survives a crash.
 */
package org.cairnfs.storage.lease;
