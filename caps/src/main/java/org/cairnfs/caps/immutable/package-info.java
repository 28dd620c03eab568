/**
 * Immutable files: convergent encryption, segmenting, erasure coding into n shares, the share
 * byte layout with its hash trees, and verified decoding from any k good shares.
 *
 * <p>Layout and formulas are specified in {@code docs/specs/immutable-share.md}.
 */
package org.cairnfs.caps.immutable;
