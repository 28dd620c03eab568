package org.cairnfs.cli.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a node directory's {@code cairn.cfg} says: its role, how it is reached, which
 * introducers it joins, how its client stores new data and what storage it offers. Sizes stay
 * strings here and are parsed where they are used, so their errors can still name the file and
 * line.
 */
public record NodeConfig(
    Role role,
    String nickname,
    String hostname,
    int port,
    List<String> introducers,
    boolean storageEnabled,
    Path storageDir,
    ClientSettings client,
    ConfigFile source) {

  /** What a node directory runs. */
  public enum Role { INTRODUCER, NODE }

  static final Set<String> SCHEMA = Set.of(
      "node.role", "node.nickname", "node.hostname", "node.port",
      "client.introducers", "client.allowed-servers", "client.shares-needed", "client.shares-happy",
      "client.shares-total", "client.connect-grace-seconds",
      "storage.enabled", "storage.dir", "storage.max-space", "storage.reserved-space",
      "storage.max-share-size", "storage.bandwidth", "storage.connection-bandwidth",
      "storage.gc", "storage.lease-duration-days",
      "storage.lease-renewal-granularity-seconds", "storage.direct-writes");

  /**
   * Sets some values (keys as {@code section.key}) in {@code dir/cairn.cfg}, keeping the rest of
   * the file; the result is read back with the same checks as at start.
   */
  public static NodeConfig update(Path dir, java.util.Map<String, String> values)
      throws ConfigException, java.io.IOException {
    ConfigEdit.set(dir.resolve(ConfigFile.NAME), SCHEMA, values);
    return read(dir);
  }

  /** Reads {@code dir/cairn.cfg}. */
  public static NodeConfig read(Path dir) throws ConfigException {
    ConfigFile file = ConfigFile.read(dir.resolve(ConfigFile.NAME), SCHEMA);
    String roleText = file.getString("node.role", "node");
    Role role = switch (roleText) {
      case "introducer" -> Role.INTRODUCER;
      case "node" -> Role.NODE;
      default -> throw file.error("node.role",
          "'node.role' must be 'node' or 'introducer', got '" + roleText + "'");
    };
    List<String> introducers = new ArrayList<>();
    for (String url : file.getString("client.introducers", "").split(",")) {
      if (!url.isBlank()) {
        introducers.add(url.strip());
      }
    }
    if (role == Role.NODE && introducers.isEmpty()) {
      throw file.error("client.introducers", "a node needs at least one introducer: set"
          + " 'introducers = cairn://<node-id>@host:port' under [client] (the URL is in the"
          + " introducer's introducer.url file)");
    }
    boolean storage = role == Role.NODE && file.getBoolean("storage.enabled", true);
    Path storageDir;
    try {
      storageDir = dir.resolve(file.getString("storage.dir", "storage"));
    } catch (java.nio.file.InvalidPathException e) {
      throw file.error("storage.dir", "'storage.dir' is not a usable path: " + e.getMessage());
    }
    String nickname = file.getString("node.nickname", dir.getFileName().toString());
    check(file, "node.nickname", () -> ConfigChecks.checkNickname(nickname));
    String hostname = file.getString("node.hostname", "127.0.0.1");
    check(file, "node.hostname", () -> ConfigChecks.checkHostname(hostname));
    return new NodeConfig(role, nickname, hostname, file.getPort("node.port", 0),
        List.copyOf(introducers), storage, storageDir,
        clientSettings(role, file), file);
  }

  private static ClientSettings clientSettings(Role role, ConfigFile file)
      throws ConfigException {
    if (role == Role.INTRODUCER) {
      ClientSettings.refuseOnIntroducer(file);
      return ClientSettings.DEFAULTS;
    }
    return ClientSettings.read(file);
  }

  private static void check(ConfigFile file, String key, Runnable rule) throws ConfigException {
    try {
      rule.run();
    } catch (IllegalArgumentException e) {
      throw file.error(key, "'" + key + "': " + e.getMessage());
    }
  }
}
