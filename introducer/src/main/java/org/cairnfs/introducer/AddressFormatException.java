package org.cairnfs.introducer;

/**
 * An address, introducer URL or static-server entry is malformed. Unchecked because these come
 * from configuration and command lines, where the caller reports the message and stops; the
 * message always names the offending part of the text.
 */
public final class AddressFormatException extends IllegalArgumentException {
  public AddressFormatException(String message) {
    super(message);
  }

  public AddressFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
