package org.cairnfs.fs.gateway;

import java.time.Duration;

/**
 * How a {@link Gateway} listens and what it lets one client spend. Built with {@link #builder()},
 * whose setters reject bad values by name.
 *
 * <p>Why the limits: a gateway may be reachable by others (with {@link #publicReadOnly()}), so
 * nothing a request sends may hold unbounded memory, threads or sockets: headers are capped
 * (431), a request head must arrive within {@link #headerTimeout()}, a connection that moves no
 * bytes for {@link #idleTimeout()} is closed, connections past {@link #maxConnections()} (or
 * past {@link #maxConnectionsPerAddress()} from one address) are answered 503 and closed, and an upload body is buffered at most
 * {@link #maxBodyBuffer()} bytes ahead of the grid (the socket is not read meanwhile). A request
 * holding a mutable file or batch in memory must move its bytes at {@link #slotPace()}.
 */
public final class GatewayConfig {
  private final String host;
  private final int port;
  private final boolean publicReadOnly;
  private final int maxHeaderBytes;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final Duration idleTimeout;
  private final Duration headerTimeout;
  private final int maxBodyBuffer;
  private final SlotPace slotPace;
  private final int listingPage;
  private final java.util.Optional<String> clientToken;

  private GatewayConfig(Builder b) {
    host = b.host;
    port = b.port;
    publicReadOnly = b.publicReadOnly;
    clientToken = b.clientToken;
    maxHeaderBytes = b.maxHeaderBytes;
    maxConnections = b.maxConnections;
    maxConnectionsPerAddress = Math.min(b.maxConnectionsPerAddress, b.maxConnections);
    idleTimeout = b.idleTimeout;
    headerTimeout = b.headerTimeout;
    maxBodyBuffer = b.maxBodyBuffer;
    slotPace = new SlotPace(b.slotGrace, b.slotMinRate);
    listingPage = b.listingPage;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address to listen on; 127.0.0.1 unless set. */
  public String host() {
    return host;
  }

  /** The port; 0 picks any free one (see {@link Gateway#url()}). */
  public int port() {
    return port;
  }

  /** Reads only: no PUT/POST/DELETE, no write cap in any URL, no status beyond health. */
  public boolean publicReadOnly() {
    return publicReadOnly;
  }

  /**
   * The pace (after a grace period, bytes per second on average) at which a request that holds a
   * mutable file or set-children batch in memory must send its body and read its answer; a
   * slower one is answered 408 or cut, so that a few stalled clients cannot keep every such
   * request of the gateway waiting. 10 s and 64 KiB/s unless set.
   */
  SlotPace slotPace() {
    return slotPace;
  }

  /**
   * The most entries a directory page or JSON listing holds; a larger directory is listed in
   * pages ({@code ?after=NAME}), so that no listing holds it whole. 2 000 unless set.
   */
  public int listingPage() {
    return listingPage;
  }

  /** The most bytes of request line plus headers; more answers 431 (line alone: 414). */
  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  /**
   * The token that opens the local client channel ({@code /cli/v1/}): the node writes it to a
   * file only its user reads; empty means the gateway has no such channel.
   */
  public java.util.Optional<String> clientToken() {
    return clientToken;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /**
   * The most connections from one client address (an IPv6 /64 counts as one), at most
   * {@link #maxConnections()}; loopback is not limited (the node's own user, or a reverse proxy,
   * which must limit its clients itself).
   */
  public int maxConnectionsPerAddress() {
    return maxConnectionsPerAddress;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration headerTimeout() {
    return headerTimeout;
  }

  public int maxBodyBuffer() {
    return maxBodyBuffer;
  }

  @Override
  public String toString() {
    return "GatewayConfig[" + host + ":" + port + (publicReadOnly ? ", public read-only" : "")
        + ", maxHeaderBytes=" + maxHeaderBytes + ", maxConnections=" + maxConnections
        + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress
        + ", idleTimeout=" + idleTimeout + ", headerTimeout=" + headerTimeout
        + ", maxBodyBuffer=" + maxBodyBuffer + ", slotGrace=" + slotPace.grace()
        + ", slotMinRate=" + slotPace.minBytesPerSecond() + ", listingPage=" + listingPage + "]";
  }

  /** Validating builder; every setter names the bad value it refuses. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 0;
    private boolean publicReadOnly;
    private int maxHeaderBytes = 16 * 1024;
    private int maxConnections = 256;
    private int maxConnectionsPerAddress = 32;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration headerTimeout = Duration.ofSeconds(10);
    private int maxBodyBuffer = 1 << 20;
    private Duration slotGrace = Duration.ofSeconds(10);
    private long slotMinRate = 64 << 10;
    private int listingPage = 2_000;
    private java.util.Optional<String> clientToken = java.util.Optional.empty();

    private Builder() {}

    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("gateway host must not be empty, got '" + host + "'");
      }
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("gateway port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    public Builder publicReadOnly(boolean on) {
      this.publicReadOnly = on;
      return this;
    }

    /** Opens the local client channel to requests carrying {@code token} (32+ characters). */
    public Builder clientToken(String token) {
      if (token == null || token.length() < 32 || !token.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException("a client token needs 32 or more of A-Z a-z 0-9 _ -,"
            + " got " + (token == null ? "none" : token.length() + " characters"));
      }
      this.clientToken = java.util.Optional.of(token);
      return this;
    }

    public Builder maxHeaderBytes(int bytes) {
      if (bytes < 1024 || bytes > 1 << 20) {
        throw new IllegalArgumentException(
            "maxHeaderBytes must be 1024..1048576, got " + bytes);
      }
      this.maxHeaderBytes = bytes;
      return this;
    }

    public Builder maxConnections(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("maxConnections must be 1..100000, got " + n);
      }
      this.maxConnections = n;
      return this;
    }

    public Builder maxConnectionsPerAddress(int n) {
      if (n < 1 || n > 100_000) {
        throw new IllegalArgumentException("maxConnectionsPerAddress must be 1..100000, got "
            + n);
      }
      this.maxConnectionsPerAddress = n;
      return this;
    }

    public Builder idleTimeout(Duration d) {
      this.idleTimeout = positive("idleTimeout", d);
      return this;
    }

    public Builder headerTimeout(Duration d) {
      this.headerTimeout = positive("headerTimeout", d);
      return this;
    }

    public Builder maxBodyBuffer(int bytes) {
      if (bytes < 4096 || bytes > 1 << 28) {
        throw new IllegalArgumentException(
            "maxBodyBuffer must be 4096..268435456 bytes, got " + bytes);
      }
      this.maxBodyBuffer = bytes;
      return this;
    }

    /** See {@link GatewayConfig#slotPace()}: the grace before the pace counts. */
    public Builder slotGrace(Duration d) {
      this.slotGrace = positive("slotGrace", d);
      if (d.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("slotGrace must be at most 1 h, got " + d);
      }
      return this;
    }

    /** See {@link GatewayConfig#slotPace()}: bytes per second, 1 KiB/s to 1 GiB/s. */
    public Builder slotMinRate(long bytesPerSecond) {
      if (bytesPerSecond < 1024 || bytesPerSecond > 1L << 30) {
        throw new IllegalArgumentException(
            "slotMinRate must be 1024..1073741824 bytes/s, got " + bytesPerSecond);
      }
      this.slotMinRate = bytesPerSecond;
      return this;
    }

    /** See {@link GatewayConfig#listingPage()}: 1 to 100 000 entries. */
    public Builder listingPage(int entries) {
      if (entries < 1 || entries > 100_000) {
        throw new IllegalArgumentException("listingPage must be 1..100000 entries, got "
            + entries);
      }
      this.listingPage = entries;
      return this;
    }

    private static Duration positive(String what, Duration d) {
      if (d == null || d.isNegative() || d.isZero() || d.toMillis() < 1) {
        throw new IllegalArgumentException(what + " must be at least 1 ms, got " + d);
      }
      return d;
    }

    public GatewayConfig build() {
      if (headerTimeout.compareTo(idleTimeout) > 0) {
        throw new IllegalArgumentException("headerTimeout " + headerTimeout
            + " must not exceed idleTimeout " + idleTimeout);
      }
      return new GatewayConfig(this);
    }
  }
}
