package org.cairnfs.fs.grid;

/** Where a client's connection to one storage server stands. */
public enum ConnectionState {
  /** Never used yet: connections open lazily, on the first request that needs the server. */
  IDLE,
  /** TLS and hello under way. */
  CONNECTING,
  /** Open and usable. */
  CONNECTED,
  /** The last attempt failed or the connection dropped; the next attempt waits a backoff. */
  BACKING_OFF
}
