package org.cairnfs.fs.mount;

/** One name of a readdir listing with its stat, taken from directory metadata only. */
public record DirEntryInfo(String name, StatInfo stat) {}
