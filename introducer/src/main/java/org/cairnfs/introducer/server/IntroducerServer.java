package org.cairnfs.introducer.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;

/**
 * A running introducer: the protocol server with an {@link IntroducerService} behind it.
 *
 * <p>Writes nothing to disk; the caller (the CLI) decides where the URL goes. The URL names the
 * address clients should dial, which is the bound one unless the server listens on a wildcard
 * address, in which case the caller supplies the public host with {@link #url(String)}.
 */
public final class IntroducerServer implements AutoCloseable {
  private final ProtocolServer server;
  private final IntroducerService service;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private IntroducerServer(ProtocolServer server, IntroducerService service) {
    this.server = server;
    this.service = service;
  }

  /** Listens on {@code host:port} (port 0 picks a free one) with default bounds. */
  public static IntroducerServer start(NodeKey key, String host, int port) throws IOException {
    return start(ServerConfig.builder(key).host(host).port(port), IntroducerService.create());
  }

  /**
   * Listens with full control of the protocol settings (TLS engine, timeouts, bandwidth) and the
   * service's bounds. If {@code config} also carries a storage backend, one node serves both roles.
   */
  public static IntroducerServer start(ServerConfig.Builder config, IntroducerService service)
      throws IOException {
    Objects.requireNonNull(service, "service");
    ProtocolServer server = ProtocolServer.start(config.introducer(service).build());
    return new IntroducerServer(server, service);
  }

  public IntroducerService service() {
    return service;
  }

  public NodeId nodeId() {
    return server.nodeId();
  }

  public InetSocketAddress localAddress() {
    return server.localAddress();
  }

  public int port() {
    return server.port();
  }

  /**
   * The URL with the bound address.
   *
   * @throws IllegalStateException when bound to a wildcard address: use {@link #url(String)}
   */
  public IntroducerUrl url() {
    InetSocketAddress a = server.localAddress();
    if (a.getAddress() == null || a.getAddress().isAnyLocalAddress()) {
      throw new IllegalStateException("introducer listens on the wildcard address " + a
          + "; give the host clients should dial with url(host)");
    }
    String host = a.getAddress().getHostAddress();
    int zone = host.indexOf('%');
    return new IntroducerUrl(server.nodeId(), new HostPort(zone >= 0 ? host.substring(0, zone) : host, a.getPort()));
  }

  /** The URL with {@code advertisedHost} (a DNS name or IP literal) and the bound port. */
  public IntroducerUrl url(String advertisedHost) {
    return new IntroducerUrl(server.nodeId(), new HostPort(advertisedHost, server.port()));
  }

  /** Stops listening and drops every connection; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.close();
    }
  }
}
