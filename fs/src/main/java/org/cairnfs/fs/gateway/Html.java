package org.cairnfs.fs.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The frame of every page the gateway writes: escaping, one inline style sheet allowed by its
 * hash in the Content-Security-Policy (so no {@code 'unsafe-inline'}), no scripts, no
 * third-party resources.
 */
final class Html {
  static final String STYLE = "body{font-family:sans-serif;margin:2em;color:#222}"
      + "table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left}"
      + "tr:nth-child(even){background:#f3f3f3}td.n{text-align:right}"
      + "code{font-size:.9em}.bad{color:#a00}.ok{color:#070}";

  /** CSP for the gateway's own pages. */
  static final String PAGE_CSP = "default-src 'none'; style-src '" + styleHash() + "';"
      + " img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /**
   * CSP for file content: a stored HTML file must not run script in the gateway's origin, so it
   * is sandboxed; images and media in it may come from this gateway only.
   */
  static final String FILE_CSP = "default-src 'none'; img-src 'self' data:; media-src 'self';"
      + " style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none';"
      + " sandbox";

  /**
   * CSP for audio and video: as {@link #FILE_CSP} without {@code sandbox}. A browser shows a
   * media file opened alone in a media document whose element fetches it with CORS; sandboxed,
   * that document's origin is opaque, the fetch cross-origin, and nothing would play. A media
   * document runs no page script, and with nosniff the bytes are only ever decoded as media.
   */
  static final String MEDIA_CSP = "default-src 'none'; media-src 'self'; frame-ancestors 'self';"
      + " base-uri 'none'; form-action 'none'";

  /** The CSP for file content of this media type. */
  static String fileCsp(String contentType) {
    String t = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
    return t.startsWith("audio/") || t.startsWith("video/") ? MEDIA_CSP : FILE_CSP;
  }

  private Html() {}

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (c < 0x20 && c != '\t') {
            b.append("&#xfffd;"); // control characters have no business in a page
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /** A page with a title and a body (the body already escaped HTML). */
  static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"referrer\" content=\"no-referrer\">"
        + "<title>" + escape(title) + "</title><style>" + STYLE + "</style></head>\n<body>\n"
        + body + "\n</body></html>\n";
  }

  private static String styleHash() {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(STYLE.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A byte count for people: 1.5 MiB. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int u = -1;
    while (v >= 1024) { // a long is below 8 EiB: it stops at EiB
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
