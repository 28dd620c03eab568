package org.cairnfs.protocol.identity;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust by node id, not by CA. As a client it accepts exactly the server whose key hashes to the
 * expected id (and records what it saw, so a mismatch can be reported as a typed exception); as
 * a server it accepts any client key, whose id is read from the session afterwards. Dates and
 * issuers are ignored: the TLS handshake itself proves possession of the key.
 */
final class PeerKeyTrustManager extends X509ExtendedTrustManager {
  private final NodeId expectedServer;
  private final AtomicReference<NodeId> presented = new AtomicReference<>();

  /** {@code expectedServer} null: server side, any client accepted. */
  PeerKeyTrustManager(NodeId expectedServer) {
    this.expectedServer = expectedServer;
  }

  NodeId presented() {
    return presented.get();
  }

  private static NodeId idOf(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer sent no certificate");
    }
    return NodeId.ofPublicKey(chain[0].getPublicKey());
  }

  private void checkServer(X509Certificate[] chain) throws CertificateException {
    NodeId id = idOf(chain);
    presented.set(id);
    if (!id.equals(expectedServer)) {
      throw new CertificateException("server is node " + id + ", expected " + expectedServer);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    idOf(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    idOf(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    idOf(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServer(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServer(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
