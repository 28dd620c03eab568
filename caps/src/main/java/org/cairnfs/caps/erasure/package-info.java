/**
 * Systematic k-of-n Reed-Solomon coding of equal-length blocks, wrapping Backblaze's
 * JavaReedSolomon: Cairn does none of the finite-field arithmetic itself.
 */
package org.cairnfs.caps.erasure;
