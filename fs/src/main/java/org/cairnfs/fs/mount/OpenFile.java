package org.cairnfs.fs.mount;

/** One open file description: the node, and what the open flags allow. */
record OpenFile(long fh, FileNode node, boolean readable, boolean writable, boolean append) {}
