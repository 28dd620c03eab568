package org.cairnfs.fs.gateway;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shortens every cap in a request target before it is logged: the kind and the first four
 * characters of its key stay (enough to tell two requests apart), the authority goes. Caps may
 * also arrive percent-encoded ({@code cairn%3A...}), which is redacted the same way.
 */
final class CapRedaction {
  private static final Pattern CAP = Pattern.compile(
      "(?i)cairn(?::|%3a)([a-z0-9.-]+)(?::|%3a)([^/?&#\\s]{0,4})[^/?&#\\s]*");

  private CapRedaction() {}

  static String redact(String target) {
    Matcher m = CAP.matcher(target);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, Matcher.quoteReplacement("cairn:" + m.group(1) + ":"
          + m.group(2) + "…"));
    }
    m.appendTail(b);
    return b.toString();
  }
}
