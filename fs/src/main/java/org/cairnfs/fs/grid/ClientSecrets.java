package org.cairnfs.fs.grid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import org.cairnfs.caps.Base32;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.protocol.identity.NodeId;

/**
 * The two secrets a client node keeps in its node directory, each in its own owner-only (0600)
 * file: the lease secret, from which every lease's renew and cancel secrets derive per storage
 * index and server, and the convergence secret of convergent encryption.
 *
 * <p>Why derive lease secrets: a server learns only the secrets for its own shares, so it cannot
 * renew or cancel this client's leases elsewhere, and the client needs no database of them: one
 * 32-byte file regenerates all. Losing the file loses the power to renew or cancel leases (the
 * shares stay until their leases run out); copying it shares that power. Format in {@code
 * docs/specs/client-secrets.md}.
 */
public final class ClientSecrets {
  /** File name of the lease secret in the node directory. */
  public static final String LEASE_FILE = "lease.secret";
  /** File name of the convergence secret in the node directory. */
  public static final String CONVERGENCE_FILE = "convergence.secret";
  static final int LENGTH = 32;
  static final String LEASE_HEADER = "cairn-lease-secret v1";
  static final String CONVERGENCE_HEADER = "cairn-convergence-secret v1";

  private final byte[] leaseSecret;
  private final byte[] convergenceSecret;

  private ClientSecrets(byte[] leaseSecret, byte[] convergenceSecret) {
    this.leaseSecret = leaseSecret.clone();
    this.convergenceSecret = convergenceSecret.clone();
  }

  /** Secrets held in memory only (tests, benchmarks, throw-away clients). */
  public static ClientSecrets of(byte[] leaseSecret, byte[] convergenceSecret) {
    if (leaseSecret.length != LENGTH || convergenceSecret.length != LENGTH) {
      throw new IllegalArgumentException("secrets must be " + LENGTH + " bytes, got "
          + leaseSecret.length + " and " + convergenceSecret.length);
    }
    return new ClientSecrets(leaseSecret, convergenceSecret);
  }

  /** Fresh random secrets held in memory only. */
  public static ClientSecrets random(SecureRandom random) {
    byte[] lease = new byte[LENGTH];
    byte[] convergence = new byte[LENGTH];
    random.nextBytes(lease);
    random.nextBytes(convergence);
    return new ClientSecrets(lease, convergence);
  }

  /**
   * Loads both secrets from {@code nodeDir}, creating either file (random, mode 0600) when it
   * does not exist yet.
   *
   * @throws IOException naming the file when one is unreadable or malformed
   */
  public static ClientSecrets loadOrCreate(Path nodeDir) throws IOException {
    return new ClientSecrets(loadOrCreate(nodeDir.resolve(LEASE_FILE), LEASE_HEADER),
        loadOrCreate(nodeDir.resolve(CONVERGENCE_FILE), CONVERGENCE_HEADER));
  }

  /** The per-node convergence secret (a copy). */
  public byte[] convergenceSecret() {
    return convergenceSecret.clone();
  }

  /** Renew secret of this client's lease on {@code index} at {@code server}. */
  public byte[] renewSecret(StorageIndex index, NodeId server) {
    return derive(Tag.LEASE_RENEW_SECRET, index, server);
  }

  /** Cancel secret of this client's lease on {@code index} at {@code server}. */
  public byte[] cancelSecret(StorageIndex index, NodeId server) {
    return derive(Tag.LEASE_CANCEL_SECRET, index, server);
  }

  private byte[] derive(Tag tag, StorageIndex index, NodeId server) {
    return TaggedHash.of(tag, leaseSecret, index.toBytes(), server.toBytes());
  }

  /** The text form: a header line, then the secret in base32, each ending in a newline. */
  static String format(String header, byte[] secret) {
    return header + "\n" + Base32.encode(secret) + "\n";
  }

  /** Parses {@link #format}'s text; the message names what is wrong and where. */
  static byte[] parse(String header, String text, Path file) throws IOException {
    String[] lines = text.split("\n", -1);
    if (lines.length != 3 || !lines[0].equals(header) || !lines[2].isEmpty()) {
      throw new IOException(file + " is not a Cairn secret file: expected the line '" + header
          + "', then the secret in base32, each ending in a newline");
    }
    byte[] secret;
    try {
      secret = Base32.decode(lines[1]);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": the secret is not base32: " + e.getMessage(), e);
    }
    if (secret.length != LENGTH) {
      throw new IOException(file + ": the secret must be " + LENGTH + " bytes, got "
          + secret.length);
    }
    return secret;
  }

  private static byte[] loadOrCreate(Path file, String header) throws IOException {
    if (!Files.exists(file)) {
      byte[] fresh = new byte[LENGTH];
      new SecureRandom().nextBytes(fresh);
      try {
        writeOwnerOnly(file, format(header, fresh));
        return fresh;
      } catch (FileAlreadyExistsException raced) {
        // another process created it first: use theirs
      }
    }
    return parse(header, Files.readString(file, StandardCharsets.US_ASCII), file);
  }

  /** Writes a new file readable by its owner only, atomically (temp file, then no-replace move). */
  private static void writeOwnerOnly(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    Path temp = posix
        ? Files.createTempFile(dir, ".secret", ".tmp",
            PosixFilePermissions.asFileAttribute(ownerOnly))
        : Files.createTempFile(dir, ".secret", ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.US_ASCII);
      try (var channel = java.nio.channels.FileChannel.open(temp,
          java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      // A hard link fails if the target exists, so two racing creators cannot both win.
      Files.createLink(file, temp);
    } catch (UnsupportedOperationException e) {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Never prints the secrets. */
  @Override
  public String toString() {
    return "ClientSecrets[lease secret, convergence secret: not shown]";
  }
}
