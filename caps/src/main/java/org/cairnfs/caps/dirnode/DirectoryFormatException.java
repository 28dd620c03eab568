package org.cairnfs.caps.dirnode;

/**
 * Directory bytes or a directory entry are malformed; the message names the entry or field and
 * the fault. Parsing untrusted directory plaintext throws only this.
 */
public final class DirectoryFormatException extends IllegalArgumentException {
  public DirectoryFormatException(String message) {
    super(message);
  }
}
