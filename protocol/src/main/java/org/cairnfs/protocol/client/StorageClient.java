package org.cairnfs.protocol.client;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WriteChunk;

/** Typed storage calls over one {@link ProtocolClient} connection; every call may be pipelined. */
public final class StorageClient implements AutoCloseable {
  private final ProtocolClient connection;

  public StorageClient(ProtocolClient connection) {
    this.connection = Objects.requireNonNull(connection, "connection");
  }

  /** Connects to a storage server pinned by node id. */
  public static CompletableFuture<StorageClient> connect(ClientOptions options, NodeKey ownKey,
      String host, int port, NodeId expectedServer) {
    return ProtocolClient.connect(options, ownKey, host, port, expectedServer).thenApply(StorageClient::new);
  }

  public ProtocolClient connection() {
    return connection;
  }

  public CompletableFuture<Response.ServerInfo> serverInfo() {
    return connection.request(new Request.GetServerInfo(), Response.ServerInfo.class);
  }

  public CompletableFuture<Set<Integer>> shareNumbers(StorageIndex index) {
    return connection.request(new Request.GetShareNumbers(index), Response.ShareNumbers.class)
        .thenApply(Response.ShareNumbers::shares);
  }

  public CompletableFuture<Response.Allocated> allocate(StorageIndex index, byte[] renewSecret,
      byte[] cancelSecret, long shareSize, Set<Integer> shareNumbers) {
    return connection.request(new Request.Allocate(index, renewSecret, cancelSecret, shareSize, shareNumbers),
        Response.Allocated.class);
  }

  public CompletableFuture<Void> writeChunk(StorageIndex index, int share, long offset, byte[] data) {
    return ok(new WriteChunk(index, share, offset, data));
  }

  /**
   * {@link #writeChunk} of the first {@code length} bytes of {@code owned}, sending the array
   * itself, not a copy (an upload's coalesced run): the caller leaves it untouched until the
   * returned future completed, and may reuse it once it completed normally (the request was
   * answered).
   */
  public CompletableFuture<Void> writeChunkOwned(StorageIndex index, int share, long offset,
      byte[] owned, int length) {
    return ok(WriteChunk.wrapping(index, share, offset, owned, 0, length));
  }

  public CompletableFuture<Void> closeShare(StorageIndex index, int share) {
    return ok(new Request.CloseShare(index, share));
  }

  public CompletableFuture<Void> abortShare(StorageIndex index, int share) {
    return ok(new Request.AbortShare(index, share));
  }

  public CompletableFuture<byte[]> readRange(StorageIndex index, int share, long offset, int length) {
    return connection.request(new Request.ReadRange(index, share, offset, length), Response.Data.class)
        .thenApply(Response.Data::data);
  }

  public CompletableFuture<List<Response.ShareSize>> listShares(StorageIndex index) {
    return connection.request(new Request.ListShares(index), Response.ShareList.class)
        .thenApply(Response.ShareList::shares);
  }

  /**
   * {@link #readRange} as a read-only view of the answer's own bytes: no copy, for a reader
   * that copies out what it needs anyway (a download's blocks).
   */
  public CompletableFuture<ByteBuffer> readRangeView(StorageIndex index, int share, long offset,
      int length) {
    return connection.request(new Request.ReadRange(index, share, offset, length), Response.Data.class)
        .thenApply(Response.Data::view);
  }

  /** {@code shares} empty reads every share the server holds for the slot. */
  public CompletableFuture<List<Response.SlotShare>> readSlot(StorageIndex index, Set<Integer> shares,
      long offset, int length) {
    return connection.request(new Request.ReadSlot(index, shares, offset, length), Response.SlotData.class)
        .thenApply(Response.SlotData::shares);
  }

  /**
   * One in-order chunk of a new version of slot share {@code share}; the lease secrets are
   * recorded for this client when the last chunk completes the share.
   */
  public CompletableFuture<Void> writeSlotShare(StorageIndex index, int share, byte[] renewSecret,
      byte[] cancelSecret, long totalSize, long offset, byte[] data) {
    return ok(new Request.WriteSlotShare(index, share, renewSecret, cancelSecret, totalSize,
        offset, data));
  }

  public CompletableFuture<Void> addLease(StorageIndex index, byte[] renewSecret, byte[] cancelSecret) {
    return ok(new Request.AddLease(index, renewSecret, cancelSecret));
  }

  public CompletableFuture<Void> renewLease(StorageIndex index, byte[] renewSecret) {
    return ok(new Request.RenewLease(index, renewSecret));
  }

  private CompletableFuture<Void> ok(Request request) {
    return connection.request(request, Response.Ok.class).thenApply(r -> null);
  }

  @Override
  public void close() {
    connection.close();
  }
}
