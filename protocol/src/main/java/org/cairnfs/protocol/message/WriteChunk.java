package org.cairnfs.protocol.message;

import static org.cairnfs.protocol.message.WireLimits.checkChunk;
import static org.cairnfs.protocol.message.WireLimits.checkOffset;
import static org.cairnfs.protocol.message.WireLimits.checkShare;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.cairnfs.caps.StorageIndex;

/**
 * Writes bytes into an allocated, not yet closed share; {@link Response.Ok}. A class, not a
 * record, only so that {@link #wrapping} can skip the defensive copy: every byte an upload
 * sends passes through one of these twice (the client's request, the server's decoded frame).
 * The one request not nested in {@link Request}: its buffer handling needs a file of its own.
 */
public final class WriteChunk implements Request {
  private final StorageIndex index;
  private final int share;
  private final long offset;
  private final ByteBuffer data; // position 0, never written: the message stays immutable

  /** A copy of {@code data}. */
  public WriteChunk(StorageIndex index, int share, long offset, byte[] data) {
    this(index, share, offset, ByteBuffer.wrap(checkChunk(data)));
  }

  private WriteChunk(StorageIndex index, int share, long offset, ByteBuffer owned) {
    this.index = Objects.requireNonNull(index, "index");
    this.share = checkShare(share);
    this.offset = checkOffset(offset);
    WireLimits.checkChunkLength(owned.remaining());
    this.data = owned.slice();
  }

  /**
   * {@code length} bytes of {@code owned} from {@code from}, not copied: for the frame
   * decoder, whose frame array holds the data field and is not used after decoding, and for
   * an upload's coalesced run, whose array is not touched while the message may be sent.
   */
  public static WriteChunk wrapping(StorageIndex index, int share, long offset, byte[] owned,
      int from, int length) {
    return new WriteChunk(index, share, offset, ByteBuffer.wrap(owned, from, length));
  }

  public StorageIndex index() {
    return index;
  }

  public int share() {
    return share;
  }

  public long offset() {
    return offset;
  }

  public byte[] data() {
    byte[] out = new byte[data.remaining()];
    data.get(0, out);
    return out;
  }

  /** The bytes as a read-only view, without copying (for the codec and the store). */
  public ByteBuffer view() {
    return data.asReadOnlyBuffer();
  }

  /** Length of the data without copying it. */
  public int length() {
    return data.remaining();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WriteChunk w && index.equals(w.index) && share == w.share
        && offset == w.offset && data.equals(w.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, share, offset, data);
  }

  @Override
  public String toString() {
    return "WriteChunk[" + index + ", share=" + share + ", offset=" + offset + ", length="
        + data.remaining() + "]";
  }

  @Override
  public MessageType type() {
    return MessageType.WRITE_CHUNK;
  }
}
