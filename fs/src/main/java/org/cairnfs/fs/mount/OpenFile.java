package org.cairnfs.fs.mount;

/**
 * One open file description: the node, what the open flags allow, whether the kernel may keep
 * the pages it cached from the file before this open ({@link FileData#openKeepsCache}), and
 * whether this open truncated the file (so that its close journals that, even read-only).
 */
record OpenFile(long fh, FileNode node, boolean readable, boolean writable, boolean append,
    boolean keepCache, boolean truncated) {}
