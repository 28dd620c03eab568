package org.cairnfs.fs.mount;

/**
 * One open file description: the node, what the open flags allow, and whether the kernel may
 * keep the pages it cached from the file before this open ({@link FileData#openKeepsCache}).
 */
record OpenFile(long fh, FileNode node, boolean readable, boolean writable, boolean append,
    boolean keepCache) {}
