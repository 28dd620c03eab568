package org.cairnfs.bench.net;

import java.util.List;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.protocol.message.WriteChunk;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.StorageBackend;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.protocol.server.StorageStatus;

/**
 * A storage backend that keeps nothing: writes are dropped, every read returns the same
 * preallocated chunk. It isolates what the TLS engine benchmark measures (TLS, framing, the
 * server's request pipeline) from the disk.
 */
final class SinkStorageBackend implements StorageBackend {
  private final byte[] chunk;

  SinkStorageBackend(byte[] chunk) {
    if (chunk.length != WireLimits.MAX_CHUNK) {
      throw new IllegalArgumentException("source chunk must be " + WireLimits.MAX_CHUNK
          + " bytes, got " + chunk.length);
    }
    this.chunk = chunk.clone();
  }

  @Override
  public StorageStatus status(Caller caller) {
    return new StorageStatus("cairn-bench-sink", Long.MAX_VALUE / 2, Long.MAX_VALUE / 2);
  }

  @Override
  public Set<Integer> shareNumbers(Caller caller, StorageIndex index) {
    return Set.of();
  }

  @Override
  public Response.Allocated allocate(Caller caller, Request.Allocate request) {
    return new Response.Allocated(request.shareNumbers(), Set.of());
  }

  @Override
  public void writeChunk(Caller caller, WriteChunk request) {
    // dropped on purpose
  }

  @Override
  public void closeShare(Caller caller, StorageIndex index, int share) {}

  @Override
  public void abortShare(Caller caller, StorageIndex index, int share) {}

  @Override
  public byte[] readRange(Caller caller, Request.ReadRange request) {
    return chunk;
  }

  @Override
  public List<Response.ShareSize> listShares(Caller caller, StorageIndex index) {
    return List.of();
  }

  @Override
  public List<Response.SlotShare> readSlot(Caller caller, Request.ReadSlot request)
      throws StorageException {
    return List.of();
  }

  @Override
  public void writeSlotShare(Caller caller, Request.WriteSlotShare request) {}

  @Override
  public void addLease(Caller caller, Request.AddLease request) {}

  @Override
  public void renewLease(Caller caller, Request.RenewLease request) {}
}
