package org.cairnfs.caps;

/** A cap string or cap field is malformed; the message names what is wrong and where. */
public final class CapFormatException extends IllegalArgumentException {
  public CapFormatException(String message) {
    super(message);
  }

  public CapFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
