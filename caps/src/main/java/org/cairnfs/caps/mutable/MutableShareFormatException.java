package org.cairnfs.caps.mutable;

/**
 * Bytes claimed to be a mutable share (or its header) are not well formed: bad magic, unknown
 * version, impossible parameters, inconsistent offsets or a wrong length. The message names the
 * field. This is the only exception parsing untrusted share bytes may throw.
 */
public final class MutableShareFormatException extends RuntimeException {
  public MutableShareFormatException(String message) {
    super(message);
  }
}
