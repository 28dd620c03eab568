package org.cairnfs.cli.config;

import java.util.List;
import org.cairnfs.caps.immutable.EncodingParams;

/**
 * Writes the commented {@code cairn.cfg} that create-node and create-introducer leave behind.
 * Every value goes through {@link ConfigValue#format}, so what is written reads back exactly;
 * a value that cannot ({@code IllegalArgumentException}) is refused before anything is written.
 */
public final class ConfigTemplate {
  private ConfigTemplate() {}

  public static String introducer(String nickname, String hostname, int port) {
    return """
        # Cairn introducer configuration. Lines are "key = value"; '#' starts a comment.
        # Quote a value holding '#' or surrounding spaces: dir = "/data/disk #2".
        # Unknown keys stop start-up, so a typo cannot pass unnoticed.
        [node]
        role = introducer
        nickname = %s
        # Address other nodes use to reach this introducer.
        hostname = %s
        # TCP port; 0 picks a free port at each start (introducer.url says which).
        port = %d
        """.formatted(v(nickname), v(hostname), port);
  }

  /**
   * A node's config.
   *
   * @param shares k, happy and n for new files, or {@code null} to leave the defaults (written
   *     as comments)
   */
  public static String node(String nickname, String hostname, int port, List<String> introducers,
      EncodingParams shares, boolean storage, String storageDir, String maxSpace,
      String reservedSpace) {
    EncodingParams d = EncodingParams.DEFAULTS;
    String set = shares == null ? "# " : "";
    EncodingParams e = shares == null ? d : shares;
    return """
        # Cairn node configuration. Lines are "key = value"; '#' starts a comment.
        # Quote a value holding '#' or surrounding spaces: dir = "/data/disk #2".
        # Unknown keys stop start-up, so a typo cannot pass unnoticed.
        [node]
        role = node
        nickname = %s
        # Address announced to the grid; other nodes connect to it.
        hostname = %s
        # TCP port of this node's storage service; 0 picks a free port at each start.
        port = %d

        [client]
        # Comma-separated introducer URLs (cairn://<node-id>@host:port).
        introducers = %s
        # A closed grid: the only storage servers to use, by full node id ('cairn status
        # --full-ids' lists them); unset, every server the introducers announce.
        # allowed-servers = <node-id>, <node-id>, ...
        # How new files and directories are stored: any shares-needed of their shares-total
        # shares rebuild them, and an upload succeeds once its shares are on shares-happy
        # distinct servers (a grid of fewer servers than that can be read, not written).
        %sshares-needed = %d
        %sshares-happy = %d
        %sshares-total = %d
        # How long an upload waits for a server still connecting before going on without it.
        # connect-grace-seconds = 5

        [storage]
        # Offer disk space to the grid?
        enabled = %s
        # Where shares live (relative to this node directory, or absolute).
        dir = %s
        # Most share bytes to keep, e.g. 200G (binary units: k, M, G, T); empty = no limit.
        max-space = %s
        # Free disk space always left alone.
        reserved-space = %s
        # Largest single share accepted.
        # max-share-size = 128G
        # Bandwidth limits in bytes per second for all clients / for each connection; empty = none.
        # bandwidth = 100M
        # connection-bandwidth = 20M
        # Delete shares whose leases all expired (off by default), and the lease length.
        # gc = false
        # lease-duration-days = 31
        # A renewal moving a lease's expiry by less than this writes nothing.
        # lease-renewal-granularity-seconds = 3600
        """.formatted(v(nickname), v(hostname), port, v(String.join(", ", introducers)),
        set, e.k(), set, e.happy(), set, e.n(), storage,
        v(storageDir), v(maxSpace == null ? "" : maxSpace),
        v(reservedSpace == null ? "1G" : reservedSpace));
  }

  private static String v(String value) {
    return ConfigValue.format(value);
  }
}
