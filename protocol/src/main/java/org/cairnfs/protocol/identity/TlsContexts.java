package org.cairnfs.protocol.identity;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Builds the TLS 1.3, mutually authenticated contexts of Cairn connections.
 *
 * <p>A server context is built once per server; a client context once per connection, because
 * it pins that connection's expected server id.
 */
public final class TlsContexts {
  private static final String[] PROTOCOLS = {"TLSv1.3"};

  private TlsContexts() {}

  /** The server side: presents {@code key}, requires a client certificate of any key. */
  public static SslContext server(NodeKey key, TlsEngine engine) throws SSLException {
    return SslContextBuilder.forServer(key.keyManagers())
        .sslProvider(engine.provider())
        .protocols(PROTOCOLS)
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(new PeerKeyTrustManager(null))
        .build();
  }

  /** A client connection's TLS: presents {@code key}, accepts only {@code expectedServer}. */
  public static ClientTls client(NodeKey key, NodeId expectedServer, TlsEngine engine)
      throws SSLException {
    PeerKeyTrustManager trust = new PeerKeyTrustManager(expectedServer);
    SslContext ctx = SslContextBuilder.forClient()
        .keyManager(key.keyManagers())
        .sslProvider(engine.provider())
        .protocols(PROTOCOLS)
        .trustManager(trust)
        .build();
    return new ClientTls(ctx, trust, expectedServer);
  }

  /** The node id proven by the peer of an established session. */
  public static NodeId peerId(SSLSession session) throws SSLPeerUnverifiedException {
    Certificate[] chain = session.getPeerCertificates();
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
      throw new SSLPeerUnverifiedException("peer presented no X.509 certificate");
    }
    return NodeId.ofPublicKey(cert.getPublicKey());
  }

  /** A client TLS context plus what its pinning trust manager saw. */
  public static final class ClientTls {
    private final SslContext context;
    private final PeerKeyTrustManager trust;
    private final NodeId expected;

    ClientTls(SslContext context, PeerKeyTrustManager trust, NodeId expected) {
      this.context = context;
      this.trust = trust;
      this.expected = expected;
    }

    /** The context, for tests that drive engines directly. */
    SslContext context() {
      return context;
    }

    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
      return context.newHandler(alloc, host, port);
    }

    /** The typed exception when the handshake failed because the server key did not match, else null. */
    public IdentityMismatchException mismatch(String where) {
      NodeId seen = trust.presented();
      return seen != null && !seen.equals(expected)
          ? new IdentityMismatchException(where, expected, seen) : null;
    }
  }
}
