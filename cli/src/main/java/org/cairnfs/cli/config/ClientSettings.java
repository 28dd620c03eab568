package org.cairnfs.cli.config;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.protocol.identity.NodeId;

/**
 * Which servers this node's client uses and how it stores new data, from {@code cairn.cfg}'s
 * {@code [client]} section: {@code allowed-servers}, {@code shares-needed} (k), {@code
 * shares-happy} and {@code shares-total} (n), and {@code connect-grace-seconds}.
 *
 * <p>Why they are settings: anyone who reaches an introducer can announce servers, so a grid of
 * known members closes itself to strangers by naming them; a grid of fewer servers than the
 * default happiness (7) could store nothing; and a grid reached over slow links (a server that
 * takes more than the default grace to connect) would always be passed over. Files already
 * stored keep the parameters they were written with; these apply to what the node writes next.
 *
 * @param allowedServers the only servers taken from announcements, or {@code null} for any
 * @param encoding k, happy and n of new files and directories (default 3, 7, 10)
 * @param connectGrace how long an upload waits for a connection it opens before going on
 *     without that server (default 5 s)
 */
public record ClientSettings(Set<NodeId> allowedServers, EncodingParams encoding,
    Duration connectGrace) {
  public static final ClientSettings DEFAULTS =
      new ClientSettings(null, EncodingParams.DEFAULTS, Duration.ofSeconds(5));
  /** Longest connect grace accepted: longer would leave a batch of an upload hanging. */
  static final int MAX_GRACE_SECONDS = 300;

  static ClientSettings read(ConfigFile f) throws ConfigException {
    EncodingParams d = DEFAULTS.encoding();
    int k = whole(f, "client.shares-needed", d.k(), 1, ErasureCodec.MAX_SHARES);
    int n = whole(f, "client.shares-total", d.n(), 1, ErasureCodec.MAX_SHARES);
    if (k > n) {
      throw f.get("client.shares-needed").isPresent()
          ? f.error("client.shares-needed", "'client.shares-needed' (" + k
              + ") must not exceed 'client.shares-total' (" + n + ")")
          : f.error("client.shares-total", "'client.shares-total' (" + n
              + ") must be at least 'client.shares-needed' (" + k + ", the default)");
    }
    int happy = whole(f, "client.shares-happy", defaultHappy(k, n), 1, ErasureCodec.MAX_SHARES);
    if (happy < k || happy > n) {
      throw f.error("client.shares-happy", "'client.shares-happy' (" + happy
          + ") must be from 'client.shares-needed' (" + k + ") to 'client.shares-total' (" + n
          + "): an upload succeeds once its shares are on that many distinct servers");
    }
    EncodingParams encoding;
    try {
      encoding = EncodingParams.builder().k(k).happy(happy).n(n).build();
    } catch (IllegalArgumentException e) {
      throw f.error("client.shares-total", "'client.shares-total': " + e.getMessage());
    }
    int grace = whole(f, "client.connect-grace-seconds",
        (int) DEFAULTS.connectGrace().toSeconds(), 1, MAX_GRACE_SECONDS);
    Set<NodeId> allowed = allowed(f);
    if (allowed != null && allowed.size() < happy) {
      throw f.error("client.allowed-servers", "'client.allowed-servers' names only "
          + allowed.size() + " of the " + happy + " servers uploads need"
          + " ('client.shares-happy'): no upload could succeed; name more servers or lower"
          + " shares-happy");
    }
    return new ClientSettings(allowed, encoding, Duration.ofSeconds(grace));
  }

  /** Keys of this section, which an introducer (it relays every announcement) refuses. */
  static final List<String> KEYS = List.of("client.allowed-servers",
      "client.shares-needed", "client.shares-happy", "client.shares-total",
      "client.connect-grace-seconds");

  /** Refuses this section's keys in an introducer's config: they would do nothing there. */
  static void refuseOnIntroducer(ConfigFile f) throws ConfigException {
    for (String key : KEYS) {
      if (f.get(key).isPresent()) {
        throw f.error(key, "'" + key + "' is a client setting and this is an introducer, which"
            + " relays every announcement: set it in the cairn.cfg of each client node");
      }
    }
  }

  private static Set<NodeId> allowed(ConfigFile f) throws ConfigException {
    if (f.get("client.allowed-servers").isEmpty()) {
      return null;
    }
    String text = f.getString("client.allowed-servers", "");
    Set<NodeId> ids = new LinkedHashSet<>();
    for (String id : text.split(",")) {
      if (id.isBlank()) {
        continue; // a comma too many
      }
      try {
        ids.add(NodeId.parse(id.strip().toLowerCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw f.error("client.allowed-servers", "'client.allowed-servers': '" + id.strip()
            + "' is not a node id (" + e.getMessage() + "); list full node ids separated by"
            + " commas, as 'cairn status --full-ids' shows them");
      }
    }
    if (ids.isEmpty()) {
      // an empty list meant to close the grid must not open it silently
      throw f.error("client.allowed-servers", "'client.allowed-servers' is set but names no"
          + " server; list the servers' full node ids ('cairn status --full-ids'), or remove"
          + " the line to use every announced server");
    }
    return Set.copyOf(ids);
  }

  /** Happiness when only k and n are set: the default (7), kept from k to n. */
  public static int defaultHappy(int k, int n) {
    return Math.max(k, Math.min(EncodingParams.DEFAULTS.happy(), n));
  }

  private static int whole(ConfigFile f, String key, int fallback, int min, int max)
      throws ConfigException {
    String text = f.getString(key, "");
    if (text.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(text);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // the error below names the key and its range
    }
    throw f.error(key, "'" + key + "' must be a whole number from " + min + " to " + max
        + ", got '" + text + "'");
  }
}
