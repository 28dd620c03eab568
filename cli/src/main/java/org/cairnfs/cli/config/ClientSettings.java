package org.cairnfs.cli.config;

import java.time.Duration;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.immutable.EncodingParams;

/**
 * How this node's client stores new data, from {@code cairn.cfg}'s {@code [client]} section:
 * {@code shares-needed} (k), {@code shares-happy} and {@code shares-total} (n), and {@code
 * connect-grace-seconds}.
 *
 * <p>Why they are settings: a grid of fewer servers than the default happiness (7) could store
 * nothing, and a grid reached over slow links (a server that takes more than the default grace
 * to connect) would always be passed over. Files already stored keep the parameters they were
 * written with; these apply to what the node writes next.
 *
 * @param encoding k, happy and n of new files and directories (default 3, 7, 10)
 * @param connectGrace how long an upload waits for a connection it opens before going on
 *     without that server (default 5 s)
 */
public record ClientSettings(EncodingParams encoding, Duration connectGrace) {
  public static final ClientSettings DEFAULTS =
      new ClientSettings(EncodingParams.DEFAULTS, Duration.ofSeconds(5));
  /** Longest connect grace accepted: longer would leave a batch of an upload hanging. */
  static final int MAX_GRACE_SECONDS = 300;

  static ClientSettings read(ConfigFile f) throws ConfigException {
    EncodingParams d = DEFAULTS.encoding();
    int k = whole(f, "client.shares-needed", d.k(), 1, ErasureCodec.MAX_SHARES);
    int n = whole(f, "client.shares-total", d.n(), 1, ErasureCodec.MAX_SHARES);
    if (k > n) {
      throw f.error("client.shares-needed", "'client.shares-needed' (" + k
          + ") must not exceed 'client.shares-total' (" + n + ")");
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
    return new ClientSettings(encoding, Duration.ofSeconds(grace));
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
