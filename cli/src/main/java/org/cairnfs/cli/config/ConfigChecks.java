package org.cairnfs.cli.config;

import java.nio.charset.StandardCharsets;
import org.cairnfs.introducer.AddressFormatException;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.announcement.ServerDetails;

/**
 * The rules a node's names must follow, applied alike when {@code create-*} writes a config and
 * when {@code run} reads one, so no command writes a config that another then rejects.
 */
public final class ConfigChecks {
  private ConfigChecks() {}

  /**
   * Checks a nickname: 1 to {@value ServerDetails#MAX_NICKNAME} UTF-8 bytes, no control
   * characters (it travels in signed announcements and is shown to others).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static void checkNickname(String nickname) {
    if (nickname.isBlank()) {
      throw new IllegalArgumentException("a nickname must not be empty");
    }
    int bytes = nickname.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > ServerDetails.MAX_NICKNAME) {
      throw new IllegalArgumentException("a nickname is at most " + ServerDetails.MAX_NICKNAME
          + " UTF-8 bytes, got " + bytes);
    }
    String bad = ConfigValue.controlCharacter(nickname);
    if (bad != null) {
      throw new IllegalArgumentException("a nickname must not contain " + bad);
    }
    String format = ServerDetails.controlCharacter(nickname);
    if (format != null) {
      throw new IllegalArgumentException("a nickname must not contain a format character such"
          + " as a bidi control or a zero-width character: " + format);
    }
  }

  /**
   * Checks a hostname: a DNS name or an IP address (IPv6 without brackets), as announcements
   * carry it.
   *
   * @throws IllegalArgumentException saying what is wrong and what is allowed
   */
  public static void checkHostname(String hostname) {
    try {
      new HostPort(hostname, 1);
    } catch (AddressFormatException e) {
      throw new IllegalArgumentException("'" + ConfigFile.visible(hostname) + "' is not a host name"
          + " or IP address (" + e.getMessage() + "); use the name or address other machines"
          + " reach this one at, e.g. 192.0.2.10 or node1.example.org");
    }
  }
}
