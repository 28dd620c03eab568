package org.cairnfs.protocol.identity;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A node's key and certificate as a TLS key manager, with no key store between them. Why:
 * handing Netty a key and certificate makes it build a PKCS#12 key store for every TLS context,
 * which encrypts and decrypts the key with PBKDF2 (10 000 HMAC-SHA256 rounds each way); a
 * client builds a context per server connection, so a one-shot command joining ten servers in a
 * cold JVM spent about 40 % of its Java samples there.
 */
final class NodeKeyManager extends X509ExtendedKeyManager {
  static final String ALIAS = "node";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  NodeKeyManager(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.chain = new X509Certificate[] {certificate};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
