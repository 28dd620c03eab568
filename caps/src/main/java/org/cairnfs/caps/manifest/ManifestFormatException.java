package org.cairnfs.caps.manifest;

/**
 * Manifest node bytes are malformed or do not fit where the tree says they sit; the message
 * names the node field or entry and the fault. Parsing untrusted manifest bytes throws only
 * this.
 */
public final class ManifestFormatException extends IllegalArgumentException {
  public ManifestFormatException(String message) {
    super(message);
  }
}
