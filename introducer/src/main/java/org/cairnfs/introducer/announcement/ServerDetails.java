package org.cairnfs.introducer.announcement;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.cairnfs.introducer.HostPort;

/**
 * What a storage server says about itself in an announcement, before it is signed.
 *
 * <p>The constructor enforces the same bounds the parser does, so whatever a node can build it
 * can also sign, send and have accepted. {@code sequence} must grow with every re-announcement
 * by the same node: receivers keep only the highest.
 */
public record ServerDetails(String nickname, List<HostPort> addresses, long freeSpace,
    String softwareVersion, long sequence, Instant issuedAt) {
  /** Largest nickname, in UTF-8 bytes. */
  public static final int MAX_NICKNAME = 128;
  /** Largest software version string, in UTF-8 bytes. */
  public static final int MAX_VERSION = 256;
  /** Most addresses one announcement may list. */
  public static final int MAX_ADDRESSES = 16;

  public ServerDetails {
    checkText(nickname, "nickname", MAX_NICKNAME);
    checkText(softwareVersion, "software version", MAX_VERSION);
    Objects.requireNonNull(addresses, "addresses");
    if (addresses.isEmpty() || addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException("an announcement lists 1.." + MAX_ADDRESSES
          + " addresses, got " + addresses.size());
    }
    addresses = List.copyOf(addresses);
    if (freeSpace < 0) {
      throw new IllegalArgumentException("free space must be >= 0, got " + freeSpace);
    }
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
    }
    Objects.requireNonNull(issuedAt, "issuedAt");
    if (issuedAt.toEpochMilli() < 0) {
      throw new IllegalArgumentException("issued-at must not be before 1970, got " + issuedAt);
    }
    issuedAt = Instant.ofEpochMilli(issuedAt.toEpochMilli());
  }

  /** The same details with another sequence number, issue time and free space (re-announcement). */
  public ServerDetails next(long newSequence, Instant newIssuedAt, long newFreeSpace) {
    return new ServerDetails(nickname, addresses, newFreeSpace, softwareVersion, newSequence, newIssuedAt);
  }

  static void checkText(String s, String what, int maxBytes) {
    Objects.requireNonNull(s, what);
    int n = s.getBytes(StandardCharsets.UTF_8).length;
    if (n > maxBytes) {
      throw new IllegalArgumentException(what + " must be at most " + maxBytes + " UTF-8 bytes, got " + n);
    }
    String bad = controlCharacter(s);
    if (bad != null) {
      throw new IllegalArgumentException(what + " contains a control or format character " + bad);
    }
  }

  /**
   * The first control character, unpaired surrogate, or character that hides or reorders text
   * (bidi controls such as U+202E, zero-width spaces, tags: a nickname shown as another's) in
   * {@code s}, as U+XXXX, or null. The zero-width joiners U+200C and U+200D stay allowed: scripts
   * and emoji need them.
   */
  public static String controlCharacter(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      boolean unpaired = Character.isSurrogate((char) cp);
      if (Character.isISOControl(cp) || unpaired || hidesOrReorders(cp)) {
        return String.format("U+%04X at index %d", cp, i);
      }
      i += Character.charCount(cp);
    }
    return null;
  }

  private static boolean hidesOrReorders(int cp) {
    return cp == 0x00AD || cp == 0x061C || cp == 0x200B || cp == 0x200E || cp == 0x200F
        || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064)
        || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || (cp >= 0xE0000 && cp <= 0xE007F);
  }
}
