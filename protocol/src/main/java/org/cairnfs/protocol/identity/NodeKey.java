package org.cairnfs.protocol.identity;

import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;

/**
 * A node's long-lived key pair: its identity on every TLS connection.
 *
 * <p>Stored in the node directory as a text file readable only by its owner (0600): a first
 * line {@code cairn-node-key v1 <algorithm>}, then the base64 PKCS#8 private key and the base64
 * X.509 SubjectPublicKeyInfo public key on one line each. The TLS certificate is regenerated
 * from the key at each start; only the key is identity.
 */
public final class NodeKey {
  private static final String HEADER = "cairn-node-key v1";

  private final KeyAlgorithm algorithm;
  private final KeyPair keyPair;
  private final NodeId nodeId;
  private volatile X509Certificate certificate;
  private volatile KeyManagerFactory keyManagers;

  private NodeKey(KeyAlgorithm algorithm, KeyPair keyPair) {
    this.algorithm = algorithm;
    this.keyPair = keyPair;
    this.nodeId = NodeId.ofPublicKey(keyPair.getPublic());
  }

  /** The algorithm of new keys: ECDSA P-256 (see {@link KeyAlgorithm} for why not Ed25519). */
  public static final KeyAlgorithm DEFAULT_ALGORITHM = KeyAlgorithm.ECDSA_P256;

  /** A fresh key with {@link #DEFAULT_ALGORITHM}. */
  public static NodeKey generate() {
    return generate(DEFAULT_ALGORITHM);
  }

  public static NodeKey generate(KeyAlgorithm algorithm) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm.jcaName());
      if (algorithm == KeyAlgorithm.ECDSA_P256) {
        g.initialize(new ECGenParameterSpec("secp256r1"));
      }
      return new NodeKey(algorithm, g.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + algorithm + " keys", e);
    }
  }

  /** Loads the key at {@code file}, or creates it (mode 0600) when the file does not exist. */
  public static NodeKey loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return load(file);
    }
    NodeKey key = generate();
    try {
      key.save(file);
    } catch (FileAlreadyExistsException raced) {
      return load(file);
    }
    return key;
  }

  /** Reads a key file written by {@link #save}; the message names what is wrong with a bad one. */
  public static NodeKey load(Path file) throws IOException {
    String[] lines = Files.readString(file, StandardCharsets.US_ASCII).split("\n");
    if (lines.length < 3 || !lines[0].startsWith(HEADER + " ")) {
      throw new IOException("not a Cairn node key file (expected '" + HEADER + " <algorithm>'): " + file);
    }
    KeyAlgorithm algorithm;
    try {
      algorithm = KeyAlgorithm.valueOf(lines[0].substring(HEADER.length() + 1).trim());
    } catch (IllegalArgumentException e) {
      throw new IOException("unknown key algorithm in " + file + ": " + lines[0], e);
    }
    try {
      KeyFactory f = KeyFactory.getInstance(algorithm.jcaName());
      PrivateKey priv = f.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines[1].trim())));
      PublicKey pub = f.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(lines[2].trim())));
      NodeKey key = new NodeKey(algorithm, new KeyPair(pub, priv));
      key.checkPair();
      return key;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("corrupt node key file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes the key to a new file with owner-only permissions; refuses to overwrite. */
  public void save(Path file) throws IOException {
    String text = HEADER + " " + algorithm.name() + "\n"
        + Base64.getEncoder().encodeToString(keyPair.getPrivate().getEncoded()) + "\n"
        + Base64.getEncoder().encodeToString(keyPair.getPublic().getEncoded()) + "\n";
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (posix) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    if (posix) {
      Files.setPosixFilePermissions(file, ownerOnly);
    }
  }

  private void checkPair() throws GeneralSecurityException {
    byte[] probe = "cairn-node-key-check".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = signWith(probe);
    java.security.Signature s = java.security.Signature.getInstance(algorithm.signatureAlgorithm());
    s.initVerify(keyPair.getPublic());
    s.update(probe);
    if (!s.verify(sig)) {
      throw new GeneralSecurityException("private and public key do not match");
    }
  }

  /**
   * Signs {@code message} with this node's private key in the key's own algorithm
   * ({@code SHA256withECDSA}, DER-encoded, for P-256; {@code Ed25519} for Ed25519), so other
   * layers (introducer announcements) can prove statements by the node its TLS connections
   * identify without ever holding the private key.
   */
  public byte[] sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    try {
      return signWith(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with the " + algorithm + " node key", e);
    }
  }

  private byte[] signWith(byte[] message) throws GeneralSecurityException {
    java.security.Signature s = java.security.Signature.getInstance(algorithm.signatureAlgorithm());
    s.initSign(keyPair.getPrivate());
    s.update(message);
    return s.sign();
  }

  public NodeId nodeId() {
    return nodeId;
  }

  public KeyAlgorithm algorithm() {
    return algorithm;
  }

  public PublicKey publicKey() {
    return keyPair.getPublic();
  }

  /** The private key, for the TLS layer only. */
  PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  /** This key and its certificate for TLS contexts (made once per process; no key store). */
  KeyManagerFactory keyManagers() {
    KeyManagerFactory k = keyManagers;
    if (k == null) {
      synchronized (this) {
        if (keyManagers == null) {
          keyManagers = new KeyManagerFactoryWrapper(
              new NodeKeyManager(privateKey(), certificate()));
        }
        k = keyManagers;
      }
    }
    return k;
  }

  /** A self-signed certificate for this key (created once per process). */
  X509Certificate certificate() {
    X509Certificate c = certificate;
    if (c == null) {
      synchronized (this) {
        if (certificate == null) {
          certificate = selfSign();
        }
        c = certificate;
      }
    }
    return c;
  }

  private X509Certificate selfSign() {
    try {
      Instant now = Instant.now();
      return SelfSignedCertificate.of(keyPair, algorithm, nodeId.toString(),
          new BigInteger(64, new java.security.SecureRandom()).setBit(63),
          now.minus(1, ChronoUnit.DAYS), now.plus(3650, ChronoUnit.DAYS));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot self-sign a " + algorithm + " certificate", e);
    }
  }

  @Override
  public String toString() {
    return "NodeKey[" + algorithm + ", " + nodeId.shortForm() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeKey k && nodeId.equals(k.nodeId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodeId);
  }
}
