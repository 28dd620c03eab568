package org.cairnfs.caps;

import java.util.Optional;

/**
 * A capability: an unforgeable string that both names stored data and grants one level of
 * authority over it (write, read or verify).
 *
 * <p>One record per kind. {@link #toString()} gives the exact {@code cairn:...} string that
 * {@link #parse(String)} reads back. Diminishing ({@link #readOnly()}, {@link #verifyCap()}) is
 * an offline pure function. Caps of kinds this version does not know parse to {@link UnknownCap}
 * and pass through unchanged, so newer caps survive older code.
 */
public sealed interface Cap
    permits LiteralCap, ImmutableReadCap, ImmutableVerifyCap, MutableWriteCap, MutableReadCap,
        MutableVerifyCap, DirectoryCap, ChunkedReadCap, ChunkedVerifyCap, UnknownCap {

  /** The scheme every Cairn cap string starts with. */
  String SCHEME = "cairn:";

  /**
   * Parses any cap string.
   *
   * @throws CapFormatException naming the fault when a string of a known kind is malformed or
   *     the string is not a Cairn cap at all
   */
  static Cap parse(String text) {
    return CapParser.parse(text);
  }

  /**
   * The same object with write authority removed; read and verify caps return themselves.
   *
   * @throws UnknownCapAuthorityException for an {@link UnknownCap} whose kind does not end in
   *     {@code -ro} or {@code -v}, since it might carry write authority
   */
  Cap readOnly();

  /** The verify cap of the same object; empty for literals, which have nothing stored. */
  Optional<Cap> verifyCap();

  /** Where servers keep the shares; empty for literals and unknown caps. */
  Optional<StorageIndex> storageIndex();

  /** Whether this cap grants write authority. */
  default boolean isWritable() {
    return false;
  }

  /** Whether this cap lets its holder decrypt the content (false for verify and unknown caps). */
  default boolean isReadable() {
    return true;
  }

  /** Whether this cap names a directory. */
  default boolean isDirectory() {
    return false;
  }

  /** The canonical string form. */
  @Override
  String toString();
}
