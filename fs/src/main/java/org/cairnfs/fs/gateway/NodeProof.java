package org.cairnfs.fs.gateway;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How the node proves itself to a command on the local client channel before the command sends
 * its client token or any cap: HMAC-SHA256, keyed by the token, of a fixed label and a fresh
 * challenge of the command's. Why: a node killed without cleanup leaves its {@code web.url}
 * behind, and any local user may then listen on that port; without the proof a command would
 * hand that listener the token (which also lets one name local paths to the node) and its caps,
 * and take its answers (a made-up read cap for a put) as the node's. Spec: docs/specs/webapi.md,
 * "Local client channel".
 */
public final class NodeProof {
  private static final byte[] LABEL =
      "cairn-client-api 1 node proof\n".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of();

  private NodeProof() {}

  /** A fresh challenge: 32 random bytes, 64 lowercase hex digits. */
  public static String challenge() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HEX.formatHex(b);
  }

  /** Whether {@code s} has a challenge's form (what the node answers to). */
  static boolean isChallenge(String s) {
    return s != null && s.length() == 64 && s.chars().allMatch(
        c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /**
   * The proof of holding {@code token} for {@code challenge}, asked at TCP port {@code port}
   * (the node's own, as the command dialled it: a listener on another port that relays the
   * challenge to the node gets a proof for the node's port, which the command refuses), 64
   * lowercase hex digits.
   */
  public static String of(String token, String challenge, int port) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      mac.update(LABEL);
      mac.update((challenge + "\n" + port).getBytes(StandardCharsets.US_ASCII));
      return HEX.formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
    }
  }

  /** Whether {@code proof} is the proof of {@code token} for {@code challenge} at {@code port}. */
  public static boolean holds(String proof, String token, String challenge, int port) {
    return proof != null && MessageDigest.isEqual(
        of(token, challenge, port).getBytes(StandardCharsets.US_ASCII),
        proof.getBytes(StandardCharsets.US_ASCII));
  }
}
