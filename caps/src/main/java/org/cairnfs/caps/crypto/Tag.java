package org.cairnfs.caps.crypto;

/**
 * Every domain-separation tag Cairn hashes with, one per purpose.
 *
 * <p>A hash computed for one purpose can never be replayed as a hash for another because the
 * tag is the first thing hashed: {@code H(tag, x) = SHA-256(netstring(tag) || x)}. The strings
 * are part of the format: changing one changes every cap and share, so they are listed in
 * {@code docs/specs/caps.md} and pinned by a test.
 */
public enum Tag {
  /** Hash of an immutable file's plaintext, input to its convergent key. */
  PLAINTEXT("cairn-v1-plaintext"),
  /** Convergent key of an immutable file: H(tag, netstring(secret) || params || plaintext hash). */
  CONVERGENT_KEY("cairn-v1-convergent-key"),
  /** Storage index of an immutable file, from its read key. */
  IMMUTABLE_STORAGE_INDEX("cairn-v1-immutable-storage-index"),
  /** Leaf hash of one erasure-coded block. */
  BLOCK("cairn-v1-block"),
  /** Interior node of any Merkle tree: H(tag, left || right). */
  MERKLE_NODE("cairn-v1-merkle-node"),
  /** Leaf used to pad a Merkle tree to a power of two. */
  MERKLE_PAD("cairn-v1-merkle-pad"),
  /** Leaf of the share hash tree: H(tag, share number (4 bytes) || block tree root). */
  SHARE("cairn-v1-share"),
  /** Hash of an immutable file's extension block, carried in its caps. */
  EXTENSION_BLOCK("cairn-v1-extension-block"),
  /** Mutable write key, from the Ed25519 private key seed. */
  MUTABLE_WRITE_KEY("cairn-v1-mutable-write-key"),
  /** Mutable read key, from the write key. */
  MUTABLE_READ_KEY("cairn-v1-mutable-read-key"),
  /** Fingerprint of a mutable file's Ed25519 verifying key. */
  VERIFYING_KEY_FINGERPRINT("cairn-v1-verifying-key-fingerprint"),
  /** Storage index of a mutable slot, from the verifying-key fingerprint. */
  MUTABLE_STORAGE_INDEX("cairn-v1-mutable-storage-index"),
  /** Data key of one mutable version: H(tag, read key || salt). */
  MUTABLE_DATA_KEY("cairn-v1-mutable-data-key"),
  /** Key that encrypts the signing key inside a mutable share, from the write key. */
  SIGNING_KEY_ENCRYPTION("cairn-v1-signing-key-encryption"),
  /** What a mutable version's signature covers: H(tag, signed header). */
  MUTABLE_SIGNATURE("cairn-v1-mutable-signature"),
  /** Key that encrypts child write caps inside a directory, from the directory write key. */
  DIRECTORY_WRITECAP_KEY("cairn-v1-directory-writecap-key"),
  /** Lease renew secret: H(tag, client lease secret || storage index || server node id). */
  LEASE_RENEW_SECRET("cairn-v1-lease-renew-secret"),
  /** Lease cancel secret: H(tag, client lease secret || storage index || server node id). */
  LEASE_CANCEL_SECRET("cairn-v1-lease-cancel-secret"),
  /** Node id: H(tag, encoded public key of the node's TLS key). */
  NODE_ID("cairn-v1-node-id"),
  /** What an introducer announcement's signature covers. */
  ANNOUNCEMENT("cairn-v1-announcement"),
  /**
   * Commitment to one segment of an immutable file: H(tag, leaf hashes of its k data blocks),
   * so parity cannot decode to data other than what the uploader committed.
   */
  SEGMENT("cairn-v1-segment"),
  /** Hash of a chunked-file manifest node's clear form (sealed fields opened), input to its key. */
  MANIFEST_CONTENT("cairn-v1-manifest-content"),
  /**
   * Convergent read key of a manifest node: H(tag, netstring(secret) || node file params ||
   * content hash).
   */
  MANIFEST_READ_KEY("cairn-v1-manifest-read-key"),
  /** Immutable-file key of a manifest node, from its read key; verify-cap holders have it. */
  MANIFEST_KEY("cairn-v1-manifest-key"),
  /** Key sealing chunk keys and literal data inside a manifest node, from its read key. */
  MANIFEST_SEAL_KEY("cairn-v1-manifest-seal-key"),
  /**
   * Convergence secret of a directory's pages, from the directory's read key, so equal pages of
   * one directory are stored once and pages of different directories never share a key.
   */
  DIRECTORY_PAGE_SECRET("cairn-v1-directory-page-secret"),
  /**
   * Position of a server on the permuted ring of one storage index: H(tag, storage index ||
   * server node id); servers are tried in ascending order of it.
   */
  PERMUTED_RING("cairn-v1-permuted-ring");

  private final String text;

  Tag(String text) {
    this.text = text;
  }

  /** The tag string as hashed. */
  public String text() {
    return text;
  }
}
