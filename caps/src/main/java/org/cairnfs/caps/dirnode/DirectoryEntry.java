package org.cairnfs.caps.dirnode;

import java.security.SecureRandom;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.UnknownCap;

/**
 * One child of a directory: its name, its read cap, its write cap sealed for directory writers,
 * and its metadata.
 *
 * <p>Caps are kept as strings so that caps of kinds this version does not know pass through a
 * rewrite of the directory unchanged; {@link #readCap()} parses on demand (unknown kinds become
 * {@code UnknownCap}). Symlinks, FIFOs, sockets and devices have no caps. A sealed write cap
 * needs a read cap beside it.
 *
 * @param readCap the child's read cap string; absent exactly for the kinds without
 *     {@link EntryKind#hasCap()}
 * @param writeCap the child's write cap sealed by {@link ChildWriteCapKey}; absent for read-only
 *     children and the kinds without caps
 */
public record DirectoryEntry(EntryName name, Optional<String> readCap,
    Optional<SealedWriteCap> writeCap, EntryMetadata metadata) {
  /** Longest cap string a directory stores. */
  public static final int MAX_CAP_LENGTH = 2048;

  public DirectoryEntry {
    if (name == null || readCap == null || writeCap == null || metadata == null) {
      throw new DirectoryFormatException("a directory entry needs name, caps and metadata");
    }
    boolean capless = !metadata.kind().hasCap();
    if (capless == readCap.isPresent()) {
      // "a symlink carries no cap", "a char-device carries no cap", "a file needs a read cap"
      throw new DirectoryFormatException("entry \"" + name + "\": a " + metadata.kind().label()
          + (capless ? " carries no cap" : " needs a read cap"));
    }
    if (writeCap.isPresent() && readCap.isEmpty()) {
      throw new DirectoryFormatException("entry \"" + name + "\": write cap without read cap");
    }
    readCap.ifPresent(c -> checkCapText(c, "read cap of " + name));
  }

  /** An entry for a file or directory whose caps the caller has as strings. */
  public static DirectoryEntry of(EntryName name, String readCap,
      Optional<SealedWriteCap> writeCap, EntryMetadata metadata) {
    return new DirectoryEntry(name, Optional.of(readCap), writeCap, metadata);
  }

  /** A symlink, FIFO, socket or device entry: no caps. */
  public static DirectoryEntry symlink(EntryName name, EntryMetadata metadata) {
    return new DirectoryEntry(name, Optional.empty(), Optional.empty(), metadata);
  }

  /**
   * An entry for {@code child}: its read-only form is stored in the clear and, when the cap is
   * writable and {@code sealer} is given, the cap itself is sealed for directory writers.
   *
   * @throws RuntimeException whatever {@link Cap#readOnly()} throws for an unknown kind that
   *     might carry write authority: such a cap must not land in the clear read-cap field
   */
  public static DirectoryEntry forChild(EntryName name, Cap child,
      Optional<ChildWriteCapKey> sealer, EntryMetadata metadata, SecureRandom random) {
    Optional<SealedWriteCap> sealed = child.isWritable() && sealer.isPresent()
        ? Optional.of(sealer.get().seal(name, child.toString(), random))
        : Optional.empty();
    return new DirectoryEntry(name, Optional.of(child.readOnly().toString()), sealed, metadata);
  }

  /**
   * The child's read cap, parsed. Known kinds are diminished (a write cap stored by a buggy
   * writer in the read-cap field still yields read authority only); unknown kinds are returned
   * as {@link UnknownCap}, verbatim, so they survive a rewrite by this version.
   *
   * @throws org.cairnfs.caps.CapFormatException if the string is a malformed cap of a known kind
   */
  public Optional<Cap> parsedReadCap() {
    return readCap.map(text -> {
      Cap cap = Cap.parse(text);
      return cap instanceof UnknownCap ? cap : cap.readOnly();
    });
  }

  /** Whether the child is writable through this directory (to write-cap holders). */
  public boolean hasWriteCap() {
    return writeCap.isPresent();
  }

  /** Checks the shape every stored cap string has: "cairn:" then printable ASCII, bounded. */
  static String checkCapText(String text, String what) {
    if (text == null) {
      throw new DirectoryFormatException(what + " is missing");
    }
    if (text.length() > MAX_CAP_LENGTH) {
      throw new DirectoryFormatException(what + " is " + text.length()
          + " characters, more than " + MAX_CAP_LENGTH);
    }
    if (!text.startsWith(Cap.SCHEME) || text.length() == Cap.SCHEME.length()) {
      throw new DirectoryFormatException(what + " does not look like a cap (\"" + Cap.SCHEME
          + "...\")");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new DirectoryFormatException(what + " has a non-printable or non-ASCII character"
            + " at index " + i);
      }
    }
    return text;
  }
}
