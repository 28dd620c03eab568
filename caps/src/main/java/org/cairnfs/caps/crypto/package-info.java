/**
 * The few cryptographic primitives Cairn composes: tagged SHA-256, AES-256-CTR, Ed25519.
 * None is implemented here; each wraps the JDK or Bouncy Castle.
 */
package org.cairnfs.caps.crypto;
