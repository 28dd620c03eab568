package org.cairnfs.fs.gateway;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shortens every cap in a request target before it is logged: the kind and the first four
 * characters of its key stay (enough to tell two requests apart), the authority goes. Caps may
 * also arrive percent-encoded ({@code cairn%3A...}, or any of their characters escaped, as
 * {@code c%61irn:d%69r:...}: the gateway decodes before it parses), which is redacted the same
 * way.
 */
final class CapRedaction {
  private static final Pattern CAP = Pattern.compile(
      "(?i)cairn(?::|%3a)([a-z0-9.-]+)(?::|%3a)([^/?&#\\s]{0,4})[^/?&#\\s]*");
  private static final Pattern ESCAPE = Pattern.compile("%([0-9A-Fa-f]{2})");

  private CapRedaction() {}

  static String redact(String target) {
    Matcher m = CAP.matcher(unescapeCapCharacters(target));
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement("cairn:" + m.group(1) + ":"
          + m.group(2) + "…"));
    }
    m.appendTail(b);
    return b.toString();
  }

  /**
   * Undoes the escapes of letters, digits and {@code : . - _ ~}, which caps are made of; the
   * others (a slash, a space, a line break) stay escaped, so the log line keeps its shape.
   */
  private static String unescapeCapCharacters(String target) {
    Matcher m = ESCAPE.matcher(target);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      char c = (char) Integer.parseInt(m.group(1), 16);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || ":.-_~".indexOf(c) >= 0;
      m.appendReplacement(b, Matcher.quoteReplacement(plain ? String.valueOf(c) : m.group()));
    }
    m.appendTail(b);
    return b.toString();
  }
}
