package org.cairnfs.fs.grid;

import java.time.Duration;
import java.util.Objects;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.protocol.message.WireLimits;

/**
 * How a {@link GridClient} encodes and moves data, with a validating builder.
 *
 * <p>Memory of one upload is about {@code n x (uploadWindow + writeChunk)} plus the encoder's
 * segment buffers; of one download about {@code k x readAhead} plus the shares' hash trees
 * (capped per share at {@link #MAX_TREE_PREFETCH}). Neither grows with the file size.
 */
public final class GridConfig {
  /** Largest hash-tree region fetched eagerly per share when a download opens it. */
  public static final int MAX_TREE_PREFETCH = 8 << 20;

  private final EncodingParams params;
  private final boolean convergent;
  private final int writeChunk;
  private final int uploadWindow;
  private final Duration stallTimeout;
  private final Duration readTimeout;
  private final int readAhead;
  private final Duration locateGrace;
  private final Duration connectGrace;

  private GridConfig(Builder b) {
    params = b.params;
    convergent = b.convergent;
    writeChunk = b.writeChunk;
    uploadWindow = b.uploadWindow;
    stallTimeout = b.stallTimeout;
    readTimeout = b.readTimeout;
    readAhead = b.readAhead;
    locateGrace = b.locateGrace;
    connectGrace = b.connectGrace;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static GridConfig defaults() {
    return builder().build();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.params = params;
    b.convergent = convergent;
    b.writeChunk = writeChunk;
    b.uploadWindow = uploadWindow;
    b.stallTimeout = stallTimeout;
    b.readTimeout = readTimeout;
    b.readAhead = readAhead;
    b.locateGrace = locateGrace;
    b.connectGrace = connectGrace;
    return b;
  }

  /** k, happy, n and segment size of new immutable files. */
  public EncodingParams params() {
    return params;
  }

  /** Convergent keys (dedup of identical files by this node) rather than random ones. */
  public boolean convergent() {
    return convergent;
  }

  /** Bytes per WriteChunk request: contiguous writes are coalesced up to this. */
  public int writeChunk() {
    return writeChunk;
  }

  /** Unacknowledged bytes in flight per share being uploaded. */
  public int uploadWindow() {
    return uploadWindow;
  }

  /** A server that acknowledges nothing for this long while data waits is replaced. */
  public Duration stallTimeout() {
    return stallTimeout;
  }

  /** A read not answered within this is retried elsewhere. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** Bytes of blocks fetched ahead per share during sequential reads. */
  public int readAhead() {
    return readAhead;
  }

  /**
   * Once k distinct shares are located, how much longer a download waits for slower servers'
   * answers before it starts (late answers still join as fallbacks).
   */
  public Duration locateGrace() {
    return locateGrace;
  }

  /**
   * How long an upload waits for the servers of a batch it has no connection to yet (TCP, TLS
   * and hello); one not connected by then is left for this upload, and its connection goes on
   * for later ones. Why: announced servers that never answer (anyone can announce one) would
   * otherwise hold every batch of an upload's ring walk for the whole connect timeout.
   */
  public Duration connectGrace() {
    return connectGrace;
  }

  /**
   * How long a batch of requests waits for a server once others could answer: the connect
   * grace, never longer than the stall timeout. A server silent past it is left for this
   * operation when enough others remain.
   */
  public Duration answerGrace() {
    return connectGrace.compareTo(stallTimeout) < 0 ? connectGrace : stallTimeout;
  }

  /** The problem reported for a server left for not answering within {@code grace}. */
  public static String slowProblem(Duration grace) {
    return "slow: no answer within " + grace.toMillis() + " ms while other servers answered";
  }

  /** Builder whose setters refuse bad values, naming them. */
  public static final class Builder {
    private EncodingParams params = EncodingParams.DEFAULTS;
    private boolean convergent = true;
    private int writeChunk = 256 << 10;
    private int uploadWindow = 2 << 20;
    private Duration stallTimeout = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ofSeconds(30);
    private int readAhead = 2 << 20;
    private Duration locateGrace = Duration.ofMillis(200);
    private Duration connectGrace = Duration.ofSeconds(5);

    private Builder() {}

    public Builder params(EncodingParams params) {
      this.params = Objects.requireNonNull(params, "params");
      return this;
    }

    public Builder convergent(boolean convergent) {
      this.convergent = convergent;
      return this;
    }

    public Builder writeChunk(int bytes) {
      if (bytes < 4096 || bytes > WireLimits.MAX_CHUNK) {
        throw new IllegalArgumentException("write chunk must be 4096.." + WireLimits.MAX_CHUNK
            + " bytes, got " + bytes);
      }
      this.writeChunk = bytes;
      return this;
    }

    public Builder uploadWindow(int bytes) {
      if (bytes < 4096 || bytes > 256 << 20) {
        throw new IllegalArgumentException("upload window must be 4 KiB..256 MiB, got " + bytes);
      }
      this.uploadWindow = bytes;
      return this;
    }

    public Builder stallTimeout(Duration d) {
      this.stallTimeout = positive(d, "stall timeout");
      return this;
    }

    public Builder readTimeout(Duration d) {
      this.readTimeout = positive(d, "read timeout");
      return this;
    }

    public Builder readAhead(int bytes) {
      if (bytes < 0 || bytes > 256 << 20) {
        throw new IllegalArgumentException("read-ahead must be 0..256 MiB, got " + bytes);
      }
      this.readAhead = bytes;
      return this;
    }

    public Builder locateGrace(Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("locate grace must be >= 0, got " + d);
      }
      this.locateGrace = d;
      return this;
    }

    public Builder connectGrace(Duration d) {
      this.connectGrace = positive(d, "connect grace");
      return this;
    }

    public GridConfig build() {
      return new GridConfig(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
