package org.cairnfs.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.ConfigFile;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.storage.config.ByteSize;
import org.cairnfs.storage.config.StorageConfig;

/**
 * What is checked before a node starts, so a wrong hostname, a storage dir that is a file or
 * not writable, or a port in use is reported as the fault and its fix, not as a library's
 * exception text.
 */
final class StartChecks {
  private StartChecks() {}

  /** Refuses a directory that holds no node, without creating anything in it. */
  static void requireNode(NodeDirectory node) {
    if (!Files.exists(node.config())) {
      String what = Files.isDirectory(node.root()) ? node.root() + " holds no node (no "
          + ConfigFile.NAME + ")" : "no such directory: " + node.root();
      throw new CliException(ExitCode.USAGE, what + "; create one with 'cairn create-node',"
          + " 'cairn create-introducer' or 'cairn storage --dir DIR ...'");
    }
  }

  /** Checks what the config points at; returns warnings to print (they do not stop a start). */
  static List<String> check(NodeConfig config) throws ConfigException {
    resolvable(config);
    List<String> warnings = new ArrayList<>();
    if (config.storageEnabled()) {
      StorageConfig storage = RunningNode.storageConfig(config);
      storageDir(config, config.storageDir(), storage.leaseDbFile());
      warnings.addAll(spaceWarnings(storage));
    }
    return warnings;
  }

  private static void resolvable(NodeConfig config) throws ConfigException {
    try {
      InetAddress.getByName(config.hostname());
    } catch (UnknownHostException e) {
      throw config.source().error("node.hostname", "'node.hostname' '" + config.hostname()
          + "' does not resolve (DNS, /etc/hosts); use an IP address of this machine or a name"
          + " that resolves to one");
    }
  }

  private static void storageDir(NodeConfig config, Path dir, Path leases)
      throws ConfigException {
    String user = System.getProperty("user.name");
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw config.source().error("storage.dir", "storage dir " + dir + " is a file, not a"
          + " directory; set 'dir' under [storage] to a directory (or move the file away)");
    }
    try {
      Files.createDirectories(dir);
    } catch (AccessDeniedException e) {
      throw new CliException(ExitCode.IO, "cannot create storage dir " + dir + ": permission"
          + " denied for user " + user + " at " + e.getFile() + "; create it and 'chown " + user
          + "' it, or set 'dir' under [storage] to a place " + user + " may write");
    } catch (IOException e) {
      throw new CliException(ExitCode.IO, "cannot create storage dir " + dir + ": "
          + Cli.messageOf(e));
    }
    if (!Files.isWritable(dir)) {
      throw new CliException(ExitCode.IO, "storage dir " + dir + " is not writable by user "
          + user + "; fix with 'chown -R " + user + " " + dir + "', or run as its owner");
    }
    for (Path db : List.of(leases, leases.resolveSibling(leases.getFileName() + "-wal"),
        leases.resolveSibling(StorageConfig.OLD_LEASE_DB_FILE),
        dir.resolve(StorageConfig.OLD_LEASE_DB_FILE))) {
      if (Files.exists(db) && !Files.isWritable(db)) {
        throw new CliException(ExitCode.IO, "lease database " + db + " is not writable by user "
            + user + "; fix with 'chown " + user + " " + db + "*', or run as its owner");
      }
    }
  }

  /** Warnings when max space or the reserve exceed what the storage dir's disk can hold. */
  static List<String> spaceWarnings(StorageConfig storage) {
    List<String> out = new ArrayList<>();
    try {
      FileStore disk = Files.getFileStore(storage.storageDir());
      long total = disk.getTotalSpace();
      long usable = disk.getUsableSpace();
      if (storage.reservedSpace() >= usable) {
        out.add("the reserve (" + ByteSize.format(storage.reservedSpace()) + ") is not below the "
            + ByteSize.format(usable) + " free on the disk of " + storage.storageDir()
            + ": this server will accept no shares until space is freed or the reserve lowered");
      }
      if (storage.maxSpace() != Long.MAX_VALUE && storage.maxSpace() > total) {
        out.add("max space " + ByteSize.format(storage.maxSpace()) + " is more than the disk of "
            + storage.storageDir() + " holds (" + ByteSize.format(total) + " in all, "
            + ByteSize.format(usable) + " free): the server offers at most what is free minus"
            + " the reserve");
      }
    } catch (IOException e) {
      out.add("cannot read the size of the disk of " + storage.storageDir() + ": " + e);
    }
    return out;
  }

  /** Names a failed listen: which address, why, and what to change. */
  static RuntimeException listenFailure(NodeDirectory node, NodeConfig config, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException b) {
        return new CliException(ExitCode.IO, node.root().getFileName() + ": cannot listen on "
            + config.hostname() + ":" + config.port() + " (" + b.getMessage() + "): the port is"
            + " taken (another node?) or the hostname is not an address of this machine; stop"
            + " the other program, or change 'port' or 'hostname' under [node] in "
            + node.config() + " (port 0 = any free port)");
      }
      if (t instanceof UnresolvedAddressException) {
        return new CliException(ExitCode.CONFIG, node.config() + ": 'node.hostname' '"
            + config.hostname() + "' does not resolve; use an IP address of this machine");
      }
    }
    return null;
  }
}
