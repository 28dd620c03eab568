package org.cairnfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The file {@code private/client.token} of a node directory: a fresh random token the running
 * node writes (mode 0600) when its gateway starts and removes when it stops. A command that can
 * read it is this node's user; it sends the token to use the node's local client channel.
 */
final class ClientToken {
  static final String FILE = "private/client.token";

  private ClientToken() {}

  /** Makes a new token, writes it for this node's commands, and returns it. */
  static String create(Path nodeDir) throws IOException {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Path file = nodeDir.resolve(FILE);
    Path dir = file.getParent();
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException ignored) {
        // made at the same moment by another command
      }
    }
    Path tmp = dir.resolve("client.token." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, token + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return token;
  }

  /** The token the running node wrote, if any. */
  static Optional<String> read(Path nodeDir) {
    try {
      String s = Files.readString(nodeDir.resolve(FILE), StandardCharsets.US_ASCII).strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(s);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static void remove(Path nodeDir) {
    try {
      Files.deleteIfExists(nodeDir.resolve(FILE));
    } catch (IOException ignored) {
      // a stale token only makes commands fall back to working in-process
    }
  }
}
