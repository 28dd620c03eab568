package org.cairnfs.fs.mount;

/** What statfs shows, in blocks of {@link #BLOCK_SIZE} bytes. */
public record FsSpace(long blocks, long freeBlocks, long files, long freeFiles) {
  public static final int BLOCK_SIZE = 4096;
  public static final int NAME_MAX = 255;
}
