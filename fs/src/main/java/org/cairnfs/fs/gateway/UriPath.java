package org.cairnfs.fs.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw HttpError.badRequest("name longer than " + MAX_NAME_BYTES + " bytes");
    }
  }

  /**
   * Percent-decodes one segment; the bytes must be UTF-8 (a decoder that replaced bad bytes with
   * U+FFFD would make {@code %FF} and {@code %FE} one name, and name an entry that holds U+FFFD).
   */
  static String decode(String seg) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(seg.length());
    for (int i = 0; i < seg.length(); i++) {
      char c = seg.charAt(i);
      if (c == '%') {
        int hi = i + 2 < seg.length() ? Character.digit(seg.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(seg.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          throw HttpError.badRequest("bad percent-encoding in path: '%' must be followed by two"
              + " hex digits");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw HttpError.badRequest("a name or cap in the path is not UTF-8 once percent-decoded");
    }
  }

  /** The last name, for Content-Type and Content-Disposition; empty for a bare cap. */
  String lastName() {
    return names.isEmpty() ? "" : names.get(names.size() - 1);
  }
}
