package org.cairnfs.protocol.server;

import java.util.Objects;

/**
 * What a storage backend reports about itself; the server adds its wire limits to form the
 * {@code ServerInfo} response.
 */
public record StorageStatus(String softwareVersion, long freeSpace, long maxShareSize) {
  public StorageStatus {
    Objects.requireNonNull(softwareVersion, "softwareVersion");
    if (freeSpace < 0) {
      throw new IllegalArgumentException("free space must be >= 0, got " + freeSpace);
    }
    if (maxShareSize < 0) {
      throw new IllegalArgumentException("max share size must be >= 0, got " + maxShareSize);
    }
  }
}
