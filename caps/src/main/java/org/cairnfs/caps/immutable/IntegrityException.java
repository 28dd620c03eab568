package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Fewer than k shares passed verification, or the shares disagree with what the uploader
 * committed to, so the file cannot be returned. Names every share that was dropped or involved
 * and why; a decoder throws this rather than ever return unverified bytes.
 *
 * <p>An {@link IOException} so it can travel through {@link java.io.InputStream#read}.
 */
public final class IntegrityException extends IOException {
  /** How a share's reason begins when its server failed to answer (see {@link #readFailure}). */
  private static final String READ_FAILED = "read failed";

  private final Map<Integer, String> badShares;

  public IntegrityException(String message, Map<Integer, String> badShares) {
    super(message + describe(badShares));
    this.badShares = Collections.unmodifiableMap(new LinkedHashMap<>(badShares));
  }

  /** Share number to the reason it was dropped, in the order they were dropped. */
  public Map<Integer, String> badShares() {
    return badShares;
  }

  /**
   * The reason given for a share whose server failed to answer ({@code e}): the share showed no
   * bad bytes, so a check counts that copy missing rather than corrupt.
   */
  static String readFailure(IOException e) {
    return READ_FAILED + ": " + e;
  }

  /** Whether {@code why}, a reason of {@link #badShares}, is a failed read, not bad bytes. */
  public static boolean isReadFailure(String why) {
    return why.startsWith(READ_FAILED);
  }

  /** Whether shares were dropped and every one for a failed read: none failed verification. */
  public boolean onlyReadFailures() {
    return !badShares.isEmpty()
        && badShares.values().stream().allMatch(IntegrityException::isReadFailure);
  }

  private static String describe(Map<Integer, String> bad) {
    if (bad.isEmpty()) {
      return "";
    }
    return "; bad shares: " + bad.entrySet().stream()
        .map(e -> "share " + e.getKey() + " (" + e.getValue() + ")")
        .collect(Collectors.joining(", "));
  }
}
