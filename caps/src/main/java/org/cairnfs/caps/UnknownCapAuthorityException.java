package org.cairnfs.caps;

/**
 * A cap of a kind this version does not know was asked for its read-only form, and its kind
 * does not say it is read-only. Handing it on could hand on write authority, so the caller must
 * drop or refuse it instead (docs/specs/caps.md, "Unknown caps").
 */
public final class UnknownCapAuthorityException extends RuntimeException {
  private final String kind;

  public UnknownCapAuthorityException(String kind) {
    super("cannot diminish a cap of unknown kind 'cairn:" + kind
        + "': it may grant write authority (only kinds ending in -ro or -v pass as read-only)");
    this.kind = kind;
  }

  /** The unknown kind, without the {@code cairn:} scheme. */
  public String kind() {
    return kind;
  }
}
