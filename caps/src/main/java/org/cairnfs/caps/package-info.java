/**
 * Capability strings and the pure, offline building blocks behind them: key derivation,
 * hashing, encryption, erasure coding and the byte layouts of shares and directories.
 *
 * <p>Nothing in this module touches a socket, a file or a thread pool: every function is a
 * transformation of bytes, which keeps the security-critical code small and testable.
 */
package org.cairnfs.caps;
