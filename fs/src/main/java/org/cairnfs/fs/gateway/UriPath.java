package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.CapFormatException;
import org.cairnfs.caps.UnknownCap;

/**
 * The target of a {@code /uri/<cap>[/name/...]} request: a cap and the names to walk from it.
 * Each segment is percent-decoded on its own, so a name may hold any character but {@code /}
 * and NUL; empty, {@code .} and {@code ..} segments are refused (400) rather than interpreted.
 *
 * @param capText the cap exactly as parsed (canonical)
 * @param names the names below it, possibly none
 */
record UriPath(String capText, Cap cap, List<String> names) {
  /** Longest name accepted in a path, in UTF-8 bytes (directory entries allow no more). */
  static final int MAX_NAME_BYTES = 255;

  UriPath {
    names = List.copyOf(names);
  }

  /**
   * Parses the raw path after {@code /uri/} (still percent-encoded, no query).
   *
   * @throws HttpError 400 naming what is malformed
   */
  static UriPath parse(String rawAfterUri) {
    String[] segs = rawAfterUri.split("/", -1);
    String capText = decode(segs[0]);
    if (capText.isEmpty()) {
      throw HttpError.badRequest("no cap in the URL: expected /uri/cairn:...");
    }
    Cap cap;
    try {
      cap = Cap.parse(capText);
    } catch (CapFormatException e) {
      throw HttpError.badRequest("malformed cap: " + e.getMessage());
    }
    if (cap instanceof UnknownCap u) {
      throw HttpError.badRequest("malformed cap: unknown cap kind '" + u.kind()
          + "' (this gateway serves cairn:lit, chk, cf-ro, dir, dir-ro, dir-chk, dir-lit, mut,"
          + " mut-ro)");
    }
    if (!cap.isReadable()) {
      throw HttpError.badRequest("a verify cap cannot read: this gateway needs a read or write"
          + " cap");
    }
    List<String> names = new ArrayList<>();
    for (int i = 1; i < segs.length; i++) {
      String name = decode(segs[i]);
      if (name.isEmpty()) {
        if (i == segs.length - 1) {
          break; // one trailing slash is fine
        }
        throw HttpError.badRequest("empty name in path (two slashes in a row)");
      }
      checkName(name);
      names.add(name);
    }
    return new UriPath(cap.toString(), cap, names);
  }

  /** Refuses names no directory entry can have. */
  static void checkName(String name) {
    if (name.isEmpty()) {
      throw HttpError.badRequest("empty name");
    }
    if (name.equals(".") || name.equals("..")) {
      throw HttpError.badRequest("'" + name + "' is not a name: paths are walked from the cap"
          + " down only");
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      throw HttpError.badRequest("a name must not contain '/' or NUL");
    }
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw HttpError.badRequest("name longer than " + MAX_NAME_BYTES + " bytes");
    }
  }

  private static String decode(String seg) {
    try {
      return QueryStringDecoder.decodeComponent(seg.replace("+", "%2B"));
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("bad percent-encoding in path: " + e.getMessage());
    }
  }

  /** The last name, for Content-Type and Content-Disposition; empty for a bare cap. */
  String lastName() {
    return names.isEmpty() ? "" : names.get(names.size() - 1);
  }
}
