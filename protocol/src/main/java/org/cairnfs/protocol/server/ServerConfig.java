package org.cairnfs.protocol.server;

import java.time.Duration;
import java.util.Objects;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.WireLimits;

/**
 * Everything a {@link ProtocolServer} needs; built with {@link #builder(NodeKey)} whose setters
 * reject bad values by name. Bandwidth limits are bytes per second, 0 meaning unlimited.
 */
public final class ServerConfig {
  final String host;
  final int port;
  final NodeKey nodeKey;
  final TlsEngine tlsEngine;
  final int maxFrameLength;
  final int maxInFlight;
  final int maxRunningPerConnection;
  final Duration helloTimeout;
  final Duration idleTimeout;
  final Duration frameTimeout;
  final long minTransferRate;
  final int maxConnections;
  final int maxConnectionsPerAddress;
  final int maxConnectionsPerNode;
  final boolean loopbackExempt;
  final int newConnectionBurst;
  final int newConnectionsPerSecond;
  final long maxBufferedRequestBytes;
  final long maxAddressRequestBytes;
  final long maxConnectionRequestBytes;
  final long maxBufferedResponseBytes;
  final long maxAddressResponseBytes;
  final long globalReadLimit;
  final long globalWriteLimit;
  final long channelReadLimit;
  final long channelWriteLimit;
  final int backendThreads;
  final int ioThreads;
  final StorageBackend storage;
  final IntroducerBackend introducer;

  private ServerConfig(Builder b) {
    host = b.host;
    port = b.port;
    nodeKey = b.nodeKey;
    tlsEngine = b.tlsEngine;
    maxFrameLength = b.maxFrameLength;
    maxInFlight = b.maxInFlight;
    maxRunningPerConnection = b.maxRunningPerConnection;
    helloTimeout = b.helloTimeout;
    idleTimeout = b.idleTimeout;
    frameTimeout = b.frameTimeout;
    minTransferRate = b.minTransferRate;
    maxConnections = b.maxConnections;
    maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    maxConnectionsPerNode = b.maxConnectionsPerNode;
    loopbackExempt = b.loopbackExempt;
    newConnectionBurst = b.newConnectionBurst;
    newConnectionsPerSecond = b.newConnectionsPerSecond;
    maxBufferedRequestBytes = b.maxBufferedRequestBytes;
    maxAddressRequestBytes = b.maxAddressRequestBytes;
    maxConnectionRequestBytes = b.maxConnectionRequestBytes;
    maxBufferedResponseBytes = b.maxBufferedResponseBytes;
    maxAddressResponseBytes = b.maxAddressResponseBytes;
    globalReadLimit = b.globalReadLimit;
    globalWriteLimit = b.globalWriteLimit;
    channelReadLimit = b.channelReadLimit;
    channelWriteLimit = b.channelWriteLimit;
    backendThreads = b.backendThreads;
    ioThreads = b.ioThreads;
    storage = b.storage;
    introducer = b.introducer;
  }

  public static Builder builder(NodeKey nodeKey) {
    return new Builder(nodeKey);
  }

  public int maxFrameLength() {
    return maxFrameLength;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public TlsEngine tlsEngine() {
    return tlsEngine;
  }

  /**
   * The slowest a frame may move, in either direction, once its grace time is used: the
   * configured minimum, lowered to a per-connection bandwidth limit below it so shaping
   * never makes an honest peer look stalled.
   */
  long effectiveMinTransferRate() {
    long rate = minTransferRate;
    for (long limit : new long[] {channelReadLimit, channelWriteLimit}) {
      if (limit > 0 && limit < rate) {
        rate = limit;
      }
    }
    return rate;
  }

  /** Validating builder; defaults: 127.0.0.1, port 0 (ephemeral), default TLS engine. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 0;
    private final NodeKey nodeKey;
    private TlsEngine tlsEngine = TlsEngine.defaultEngine();
    private int maxFrameLength = WireLimits.DEFAULT_MAX_FRAME;
    private int maxInFlight = 64;
    private int maxRunningPerConnection = 8;
    private Duration helloTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofMinutes(2);
    private Duration frameTimeout = Duration.ofSeconds(10);
    private long minTransferRate = 64 << 10;
    private int maxConnections = WireLimits.DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerAddress = WireLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    private int maxConnectionsPerNode = WireLimits.DEFAULT_MAX_CONNECTIONS_PER_NODE;
    private boolean loopbackExempt = true;
    private int newConnectionBurst = WireLimits.DEFAULT_NEW_CONNECTION_BURST;
    private int newConnectionsPerSecond = WireLimits.DEFAULT_NEW_CONNECTIONS_PER_SECOND;
    private long maxBufferedRequestBytes = WireLimits.DEFAULT_MAX_BUFFERED_REQUEST_BYTES;
    private long maxAddressRequestBytes = WireLimits.DEFAULT_MAX_BUFFERED_REQUEST_BYTES / 4;
    private long maxConnectionRequestBytes = WireLimits.DEFAULT_MAX_CONNECTION_REQUEST_BYTES;
    private long maxBufferedResponseBytes = WireLimits.DEFAULT_MAX_BUFFERED_RESPONSE_BYTES;
    private long maxAddressResponseBytes = WireLimits.DEFAULT_MAX_BUFFERED_RESPONSE_BYTES / 4;
    private long globalReadLimit;
    private long globalWriteLimit;
    private long channelReadLimit;
    private long channelWriteLimit;
    private int backendThreads = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    private int ioThreads = 0;
    private StorageBackend storage;
    private IntroducerBackend introducer;

    private Builder(NodeKey nodeKey) {
      this.nodeKey = Objects.requireNonNull(nodeKey, "nodeKey");
    }

    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank, got '" + host + "'");
      }
      this.host = host;
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    public Builder tlsEngine(TlsEngine engine) {
      if (!Objects.requireNonNull(engine, "engine").isAvailable()) {
        throw new IllegalArgumentException("TLS engine " + engine + " is not available here");
      }
      this.tlsEngine = engine;
      return this;
    }

    public Builder maxFrameLength(int bytes) {
      if (bytes < WireLimits.MIN_MAX_FRAME || bytes > 64 << 20) {
        throw new IllegalArgumentException("max frame length must be " + WireLimits.MIN_MAX_FRAME
            + ".." + (64 << 20) + " bytes, got " + bytes);
      }
      this.maxFrameLength = bytes;
      return this;
    }

    /** Requests read but not yet answered per connection before the server stops reading. */
    public Builder maxInFlight(int requests) {
      if (requests < 1 || requests > 65536) {
        throw new IllegalArgumentException("max in-flight must be 1..65536, got " + requests);
      }
      this.maxInFlight = requests;
      return this;
    }

    /**
     * Requests of one connection running on the backend at once (for different storage
     * indexes; one index's requests still run one at a time, in order). Why a cap: one
     * connection must not take every backend thread, nor hold more than this many answers
     * beyond its socket's write buffer when its peer stops reading.
     */
    public Builder maxRunningPerConnection(int requests) {
      if (requests < 1 || requests > 1024) {
        throw new IllegalArgumentException("max running requests per connection must be 1..1024,"
            + " got " + requests);
      }
      this.maxRunningPerConnection = requests;
      return this;
    }

    /** Time for TLS and the hello exchange to finish before the connection is dropped. */
    public Builder helloTimeout(Duration timeout) {
      this.helloTimeout = positive(timeout, "hello timeout");
      return this;
    }

    /** A connection with no complete frame and nothing in flight for this long is dropped. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = positive(timeout, "idle timeout");
      return this;
    }

    /**
     * Time any one frame may take to arrive, or a response to be written, beyond what its
     * length needs at the {@linkplain #minTransferRate minimum rate}; counted only while the
     * server is reading (backpressure and waiting for buffer memory do not count). A peer
     * that stops mid-frame is dropped after seconds, not after the idle timeout.
     */
    public Builder frameTimeout(Duration timeout) {
      this.frameTimeout = positive(timeout, "frame timeout");
      return this;
    }

    /** Bytes/s a frame must at least move at after its grace time (0: grace time only). */
    public Builder minTransferRate(long bytesPerSecond) {
      this.minTransferRate = nonNegative(bytesPerSecond, "minimum transfer rate");
      return this;
    }

    /**
     * Most connections open at once: in all, from one peer address (IPv6: one /64), and with
     * one client node id. Past them new connections are closed at once (the node-id limit:
     * answered BUSY after TLS).
     */
    public Builder maxConnections(int total, int perAddress, int perNode) {
      this.maxConnections = atLeastOne(total, "max connections");
      this.maxConnectionsPerAddress = atLeastOne(perAddress, "max connections per address");
      this.maxConnectionsPerNode = atLeastOne(perNode, "max connections per node");
      return this;
    }

    /**
     * How fast one peer address (IPv6: /64; a /48 four times that) may open new connections:
     * {@code burst} at once, then {@code perSecond} (0: no limit). Past it a new connection is
     * closed at accept, before the TLS handshake it would cost.
     */
    public Builder newConnectionRate(int burst, int perSecond) {
      if (burst < 1 || burst > 1_000_000 || perSecond < 0 || perSecond > 1_000_000) {
        throw new IllegalArgumentException("new connection burst must be in 1..1000000 and"
            + " the rate per second in 0..1000000, got " + burst + " and " + perSecond);
      }
      this.newConnectionBurst = burst;
      this.newConnectionsPerSecond = perSecond;
      return this;
    }

    /**
     * Whether connections from the loopback address skip the per-address connection limit
     * and rate (default true: they come from this machine, e.g. a demo grid of many nodes). Tests that
     * play distinct peers from 127.0.0.x addresses turn it off.
     */
    public Builder loopbackExempt(boolean exempt) {
      this.loopbackExempt = exempt;
      return this;
    }

    /**
     * Most bytes of requests held in memory (frames being received plus requests waiting to
     * run): over the whole server, by all connections from one peer address together, and by
     * one connection. Counted before a frame's buffer is allocated; a connection over a limit
     * stops being read until requests finish.
     */
    public Builder maxBufferedRequestBytes(long serverWide, long perAddress, long perConnection) {
      this.maxBufferedRequestBytes = atLeast(serverWide, WireLimits.MIN_MAX_FRAME,
          "max buffered request bytes");
      this.maxAddressRequestBytes = atLeast(perAddress, WireLimits.MIN_MAX_FRAME,
          "max request bytes per address");
      this.maxConnectionRequestBytes = atLeast(perConnection, WireLimits.MIN_MAX_FRAME,
          "max request bytes per connection");
      return this;
    }

    /**
     * Most bytes of responses being produced or waiting to be sent, over the whole server and
     * by all connections from one peer address (each connection also runs its next request
     * only while its socket is writable).
     */
    public Builder maxBufferedResponseBytes(long serverWide, long perAddress) {
      this.maxBufferedResponseBytes = atLeast(serverWide, WireLimits.MIN_MAX_FRAME,
          "max buffered response bytes");
      this.maxAddressResponseBytes = atLeast(perAddress, WireLimits.MIN_MAX_FRAME,
          "max response bytes per address");
      return this;
    }

    /** Whole-server bandwidth limits in bytes/s (0 = unlimited). */
    public Builder globalBandwidth(long readBytesPerSecond, long writeBytesPerSecond) {
      this.globalReadLimit = nonNegative(readBytesPerSecond, "global read limit");
      this.globalWriteLimit = nonNegative(writeBytesPerSecond, "global write limit");
      return this;
    }

    /** Per-connection bandwidth limits in bytes/s (0 = unlimited). */
    public Builder channelBandwidth(long readBytesPerSecond, long writeBytesPerSecond) {
      this.channelReadLimit = nonNegative(readBytesPerSecond, "per-connection read limit");
      this.channelWriteLimit = nonNegative(writeBytesPerSecond, "per-connection write limit");
      return this;
    }

    /** Threads that run backend calls (disk I/O); never the event loop. */
    public Builder backendThreads(int threads) {
      if (threads < 1 || threads > 1024) {
        throw new IllegalArgumentException("backend threads must be 1..1024, got " + threads);
      }
      this.backendThreads = threads;
      return this;
    }

    /** Netty I/O threads, 0 for Netty's default. */
    public Builder ioThreads(int threads) {
      if (threads < 0 || threads > 1024) {
        throw new IllegalArgumentException("I/O threads must be 0..1024, got " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    public Builder storage(StorageBackend backend) {
      this.storage = Objects.requireNonNull(backend, "storage backend");
      return this;
    }

    public Builder introducer(IntroducerBackend backend) {
      this.introducer = Objects.requireNonNull(backend, "introducer backend");
      return this;
    }

    public ServerConfig build() {
      if (storage == null && introducer == null) {
        throw new IllegalStateException("a server needs a storage or an introducer backend (or both)");
      }
      return new ServerConfig(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    private static int atLeastOne(int v, String what) {
      if (v < 1) {
        throw new IllegalArgumentException(what + " must be >= 1, got " + v);
      }
      return v;
    }

    private static long atLeast(long v, long min, String what) {
      if (v < min) {
        throw new IllegalArgumentException(what + " must be >= " + min + ", got " + v);
      }
      return v;
    }

    private static long nonNegative(long v, String what) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " must be >= 0 (0 = unlimited), got " + v);
      }
      return v;
    }
  }
}
