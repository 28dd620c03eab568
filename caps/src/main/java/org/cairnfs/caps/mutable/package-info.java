/**
 * Mutable files: Ed25519-signed versions in a slot whose storage index follows from the
 * verifying key, so servers authorise writes without caps ({@link
 * org.cairnfs.caps.mutable.SlotWriteCheck}) and readers verify every byte against the cap's
 * fingerprint. Format: {@code docs/specs/mutable-share.md}.
 */
package org.cairnfs.caps.mutable;
