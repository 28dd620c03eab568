package org.cairnfs.fs.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of a node for the status page ({@code GET /} and {@code GET /status?t=json}).
 * Nothing in it may be a cap: the page is shown to whoever reaches the gateway.
 *
 * @param nodeId this node's id (empty when it has none yet)
 * @param introducers the introducers the node is configured with
 * @param servers the storage servers it knows, connected or not
 * @param storage this node's own storage server use, when it runs one
 * @param transfers uploads and downloads now running or recently finished
 * @param mounts the write-back queues of this node's local mounts
 */
public record NodeStatus(Optional<String> nodeId, List<Introducer> introducers,
    List<Server> servers, Optional<StorageUse> storage, List<Transfer> transfers,
    List<MountQueue> mounts) {

  public NodeStatus {
    if (nodeId == null || introducers == null || servers == null || storage == null
        || transfers == null || mounts == null) {
      throw new IllegalArgumentException("status parts must not be null (use empty)");
    }
    introducers = List.copyOf(introducers);
    servers = List.copyOf(servers);
    transfers = List.copyOf(transfers);
    mounts = List.copyOf(mounts);
  }

  public static NodeStatus empty() {
    return new NodeStatus(Optional.empty(), List.of(), List.of(), Optional.empty(), List.of(),
        List.of());
  }

  /** This status with {@code more} transfers after its own. */
  public NodeStatus withTransfers(List<Transfer> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<Transfer> all = new java.util.ArrayList<>(transfers);
    all.addAll(more);
    return new NodeStatus(nodeId, introducers, servers, storage, all, mounts);
  }

  /** How many known servers are connected now. */
  public long connectedServers() {
    return servers.stream().filter(Server::connected).count();
  }

  /**
   * An introducer. {@code address} is shown only where it carries no secret: the node passes the
   * host and port, never a whole introducer URL with its pinned id if that is meant private.
   */
  public record Introducer(String address, boolean connected) {
    public Introducer {
      if (address == null) {
        throw new IllegalArgumentException("an introducer needs an address");
      }
    }
  }

  /**
   * A storage server as this node sees it.
   *
   * @param freeBytes what it announced it can still take, when known
   * @param lastSeen when it last answered or was announced, when ever
   */
  public record Server(String nickname, String nodeId, boolean connected, OptionalLong freeBytes,
      Optional<Instant> lastSeen) {
    public Server {
      if (nickname == null || nodeId == null || freeBytes == null || lastSeen == null) {
        throw new IllegalArgumentException("a server needs nickname, id, free space, last seen");
      }
    }
  }

  /** This node's own share store: bytes used, and the limit when one is set. */
  public record StorageUse(long usedBytes, OptionalLong maxBytes) {
    public StorageUse {
      if (usedBytes < 0 || maxBytes == null) {
        throw new IllegalArgumentException("storage use must not be negative, got "
            + usedBytes);
      }
    }
  }

  /** Which way a transfer goes. */
  public enum Direction { UPLOAD, DOWNLOAD }

  /**
   * One upload or download.
   *
   * @param label what the user knows it by (a path or file name, never a cap)
   * @param totalBytes its size when known
   * @param bytesPerSecond the recent rate
   */
  public record Transfer(Direction direction, String label, long bytesDone,
      OptionalLong totalBytes, double bytesPerSecond, boolean active, Instant started) {
    public Transfer {
      if (direction == null || label == null || totalBytes == null || started == null
          || bytesDone < 0 || bytesPerSecond < 0) {
        throw new IllegalArgumentException("bad transfer " + label + ": " + bytesDone
            + " bytes at " + bytesPerSecond + " B/s");
      }
    }
  }

  /** The write-back queue of one local mount: what is written locally but not yet uploaded. */
  public record MountQueue(String mountPoint, int pendingFiles, long pendingBytes,
      Optional<String> lastError) {
    public MountQueue {
      if (mountPoint == null || pendingFiles < 0 || pendingBytes < 0 || lastError == null) {
        throw new IllegalArgumentException("bad mount queue of " + mountPoint);
      }
    }
  }
}
