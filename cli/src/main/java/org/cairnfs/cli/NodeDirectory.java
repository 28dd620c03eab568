package org.cairnfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.cairnfs.cli.config.ConfigFile;
import org.cairnfs.protocol.identity.NodeKey;

/** The files a node or introducer keeps in its directory. */
record NodeDirectory(Path root) {
  NodeDirectory {
    root = root.toAbsolutePath().normalize();
  }

  Path config() {
    return root.resolve(ConfigFile.NAME);
  }

  Path nodeKey() {
    return root.resolve("node.key");
  }

  Path introducerUrl() {
    return root.resolve("introducer.url");
  }

  Path announcementCache() {
    return root.resolve("announcements.cache");
  }

  /** Private state (aliases, the lease database): a 0700 directory, made when first needed. */
  Path privateState() throws IOException {
    Path p = root.resolve("private");
    if (!Files.isDirectory(p)) {
      try {
        Files.createDirectories(p, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(p);
      }
    }
    return p;
  }

  Path logs() {
    return root.resolve("logs");
  }

  /**
   * Creates a new node here: directory, key and {@code configText} as its config; refuses to
   * overwrite an existing node.
   */
  NodeKey create(String configText) throws IOException {
    createFresh();
    NodeKey key = NodeKey.loadOrCreate(nodeKey());
    Files.writeString(config(), configText, StandardCharsets.UTF_8);
    return key;
  }

  boolean exists() {
    return Files.exists(config());
  }

  private void createFresh() throws IOException {
    if (Files.exists(config())) {
      throw new CliException(ExitCode.USAGE, root + " already holds a node (" + config()
          + " exists); pick another directory or delete it first");
    }
    Files.createDirectories(root);
    Files.createDirectories(logs());
  }
}
