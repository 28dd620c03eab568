package org.cairnfs.caps.immutable;

/**
 * Bytes claimed to be part of a share do not parse: bad magic, unknown version, an offset or
 * count out of bounds. The message names the field. Raised only by parsers of untrusted bytes.
 */
public final class ShareFormatException extends Exception {
  public ShareFormatException(String message) {
    super(message);
  }
}
