package org.cairnfs.protocol.server;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WriteChunk;

/**
 * What a storage server does with each storage request; the protocol module does the rest
 * (TLS, framing, validation, ordering, backpressure).
 *
 * <p>Contract:
 * <ul>
 *   <li>Methods are called on the server's backend executor, never on a Netty event loop, so
 *       they may block on disk. They must be thread-safe: different connections call
 *       concurrently, and so do one connection's requests for different storage indexes (up
 *       to {@code maxRunningPerConnection}). Requests from ONE connection for ONE storage index
 *       are called one at a time, in arrival order (so a CloseShare never overtakes the
 *       WriteChunks sent before it); a request naming no index runs alone. A close that waits
 *       for its commit ({@link #closeShareAsync}) no longer counts against
 *       {@code maxRunningPerConnection}, but the index's next request still waits for its
 *       answer.</li>
 *   <li>Every request value is already validated against the wire limits (SI 16 bytes, share
 *       numbers 0..255, offsets >= 0, lengths <= MAX_CHUNK, secrets 32 bytes); the backend
 *       checks what only it knows (space, share size, existence, signatures).</li>
 *   <li>Refuse with {@link StorageException}; its code and message go to the client. Any other
 *       exception is logged and reported as INTERNAL.</li>
 * </ul>
 */
public interface StorageBackend {

  /** Software version, free space and largest share accepted. */
  StorageStatus status(Caller caller) throws StorageException;

  /** Numbers of the complete immutable shares held for {@code index} (empty if none). */
  Set<Integer> shareNumbers(Caller caller, StorageIndex index) throws StorageException;

  /**
   * Reserves space for the requested immutable shares not already held, and adds the caller's
   * lease (renew/cancel secrets) to them; returns which were allocated and which already exist.
   * SERVER_FULL or SHARE_TOO_BIG when space or size forbid.
   */
  Response.Allocated allocate(Caller caller, Request.Allocate request) throws StorageException;

  /** Writes into an allocated, unclosed share; NOT_FOUND if not allocated, BAD_REQUEST if out of bounds. */
  void writeChunk(Caller caller, WriteChunk request) throws StorageException;

  /** Makes an uploaded share complete and readable (atomically moved into place). */
  void closeShare(Caller caller, StorageIndex index, int share) throws StorageException;

  /**
   * {@link #closeShare} without waiting for the durable part. Why: a close spends most of its
   * time in the server's group commit (syncs, lease record); while it waits there it should not
   * hold one of its connection's running requests, so that more closes join the same commit
   * and other requests do not queue behind it.
   *
   * <p>Refuses what it can decide at once by throwing (as {@link #closeShare} would); otherwise
   * returns once the share is sealed (no later request can change it) with a future that
   * completes when the share is complete, or fails with the {@link StorageException} (sent to
   * the client as its code and message) or other exception (logged, INTERNAL) that
   * {@link #closeShare} would have thrown. The future may complete on any thread: what runs on
   * its completion must not block. The default closes synchronously.
   */
  default CompletableFuture<Void> closeShareAsync(Caller caller, StorageIndex index, int share)
      throws StorageException {
    closeShare(caller, index, share);
    return CompletableFuture.completedFuture(null);
  }

  /** Drops an unfinished upload and frees its reservation. */
  void abortShare(Caller caller, StorageIndex index, int share) throws StorageException;

  /**
   * Reads up to {@code request.length()} bytes of a complete share; fewer at its end. The
   * answer is sent from the returned array itself: never change it afterwards.
   */
  byte[] readRange(Caller caller, Request.ReadRange request) throws StorageException;

  /**
   * {@link #readRange} as the answer itself. A backend may read into a pooled buffer the answer
   * then owns ({@link Response.Data#owning}): the server releases it once the answer is written
   * or dropped.
   */
  default Response.Data readRangeData(Caller caller, Request.ReadRange request)
      throws StorageException {
    return Response.Data.wrapping(readRange(caller, request)); // the backend made it for this
  }

  /** Complete immutable shares of {@code index} with their sizes. */
  List<Response.ShareSize> listShares(Caller caller, StorageIndex index) throws StorageException;

  /**
   * The same range of each requested share of a mutable slot (all when the set is empty), with
   * the seqnum each share holds; total data must not exceed {@code WireLimits.MAX_CHUNK}.
   */
  List<Response.SlotShare> readSlot(Caller caller, Request.ReadSlot request) throws StorageException;

  /**
   * One in-order chunk of a whole new mutable share. On the chunk where
   * {@link Request.WriteSlotShare#isLast()} holds, the backend runs the keyless check on the
   * complete share (verifying key matches the slot, signature verifies, seqnum grows) and either
   * replaces the old share atomically or throws REJECTED.
   */
  void writeSlotShare(Caller caller, Request.WriteSlotShare request) throws StorageException;

  /** Adds a lease on every share of {@code index} (renewing one with the same renew secret). */
  void addLease(Caller caller, Request.AddLease request) throws StorageException;

  /** Renews the lease holding the renew secret; NOT_FOUND if there is none. */
  void renewLease(Caller caller, Request.RenewLease request) throws StorageException;

  /**
   * Called once when a connection ends, so unfinished uploads it started can be dropped.
   * Runs on the backend executor after every request of that connection has finished,
   * including closes waiting for their commit.
   */
  default void connectionClosed(Caller caller) {}
}
