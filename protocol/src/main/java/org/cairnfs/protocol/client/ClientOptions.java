package org.cairnfs.protocol.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Objects;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.WireLimits;

/**
 * Settings shared by a node's outgoing connections, with a validating builder. Connections made
 * with the same options share one event loop group (created lazily, daemon threads) unless one is
 * given.
 */
public final class ClientOptions {
  private static volatile EventLoopGroup sharedGroup;

  final TlsEngine tlsEngine;
  final Duration connectTimeout;
  final Duration requestTimeout;
  final Duration pingInterval;
  final int maxFrameLength;
  final HostResolver resolver;
  private final EventLoopGroup group;

  private ClientOptions(Builder b) {
    tlsEngine = b.tlsEngine;
    connectTimeout = b.connectTimeout;
    requestTimeout = b.requestTimeout;
    pingInterval = b.pingInterval;
    maxFrameLength = b.maxFrameLength;
    resolver = b.resolver;
    group = b.group;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: default TLS engine, 10 s connect, 60 s request, 30 s ping interval. */
  public static ClientOptions defaults() {
    return builder().build();
  }

  EventLoopGroup group() {
    if (group != null) {
      return group;
    }
    EventLoopGroup g = sharedGroup;
    if (g == null) {
      synchronized (ClientOptions.class) {
        if (sharedGroup == null) {
          sharedGroup = new NioEventLoopGroup(0, new DefaultThreadFactory("cairn-client", true));
        }
        g = sharedGroup;
      }
    }
    return g;
  }

  public static final class Builder {
    private TlsEngine tlsEngine = TlsEngine.defaultEngine();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private Duration pingInterval = Duration.ofSeconds(30);
    private int maxFrameLength = WireLimits.DEFAULT_MAX_FRAME;
    private HostResolver resolver = HostResolver.SYSTEM;
    private EventLoopGroup group;

    public Builder tlsEngine(TlsEngine engine) {
      if (!Objects.requireNonNull(engine, "engine").isAvailable()) {
        throw new IllegalArgumentException("TLS engine " + engine + " is not available here");
      }
      this.tlsEngine = engine;
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connect timeout");
      return this;
    }

    public Builder requestTimeout(Duration d) {
      this.requestTimeout = positive(d, "request timeout");
      return this;
    }

    /** Keepalive ping after this long without sending; keep below the servers' idle timeout. */
    public Builder pingInterval(Duration d) {
      this.pingInterval = positive(d, "ping interval");
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

    /** Event loops to use instead of the process-wide shared group (the caller shuts them down). */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = Objects.requireNonNull(group, "group");
      return this;
    }

    /** How host names are looked up (tests make them slow). */
    Builder hostResolver(HostResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    public ClientOptions build() {
      return new ClientOptions(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
