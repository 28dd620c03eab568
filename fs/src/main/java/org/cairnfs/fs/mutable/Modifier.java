package org.cairnfs.fs.mutable;

import java.io.IOException;

/**
 * The change a writer wants to make to a mutable file, as a function of its current contents.
 *
 * <p>Why a function and not new contents: when two writers publish at once, the loser re-reads
 * the winner's version and applies its change again on top, so no update is lost. The function
 * may therefore run several times, each time on the newest contents; it must depend only on its
 * argument (a directory adds or removes its entries, whatever else changed).
 */
@FunctionalInterface
public interface Modifier {
  /**
   * The new contents for {@code current}, or null to leave the file as it is (nothing is
   * published).
   */
  byte[] apply(byte[] current) throws IOException;
}
