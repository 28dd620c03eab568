package org.cairnfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The file {@code web.url} in a node directory: where the node's running gateway listens, so
 * that other commands ({@code cairn share}) can print links. Written when the gateway starts,
 * removed when it stops; a stale file (the node was killed) only yields a dead link.
 */
final class WebAddress {
  static final String FILE = "web.url";

  private WebAddress() {}

  static void write(Path nodeDir, String url) throws IOException {
    Path tmp = nodeDir.resolve(FILE + ".tmp");
    Files.writeString(tmp, DemoCommand.withSlash(url) + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, nodeDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the address and the client token beside it. */
  static void remove(Path nodeDir) {
    ClientToken.remove(nodeDir);
    try {
      Files.deleteIfExists(nodeDir.resolve(FILE));
    } catch (IOException ignored) {
      // a stale address only yields a dead link
    }
  }

  /** The gateway's base URL ending in "/", when the node wrote one. */
  static Optional<String> read(Path nodeDir) {
    try {
      String s = Files.readString(nodeDir.resolve(FILE), StandardCharsets.UTF_8).strip();
      return s.startsWith("http://") || s.startsWith("https://") ? Optional.of(s)
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
