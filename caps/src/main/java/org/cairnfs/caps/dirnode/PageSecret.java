package org.cairnfs.caps.dirnode;

import org.cairnfs.caps.DirectoryReadCap;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableEncoder;

/**
 * Pages of a directory are immutable files under convergent keys whose secret is {@code
 * H(DIRECTORY_PAGE_SECRET, directory read key)}: the same page of the same directory is stored
 * once (a retried publish re-uploads nothing), while pages of different directories never share
 * a key, so nobody can confirm a guessed page across directories.
 */
public final class PageSecret {
  private PageSecret() {}

  /** The convergence secret of {@code directory}'s pages. */
  public static byte[] of(DirectoryReadCap directory) {
    return TaggedHash.of(Tag.DIRECTORY_PAGE_SECRET, directory.file().readKey());
  }

  /** The encoder for {@code directory}'s pages. */
  public static ImmutableEncoder encoder(DirectoryReadCap directory, EncodingParams params) {
    return ImmutableEncoder.convergent(params, of(directory));
  }
}
