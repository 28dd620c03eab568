package org.cairnfs.fs.gateway;

/**
 * A small JSON writer for the gateway's answers (writing only: the web API reads no JSON).
 * Values are appended in order; the caller keeps the structure balanced.
 */
final class Json {
  private final StringBuilder b = new StringBuilder(256);
  private boolean needComma;

  Json beginObject() {
    comma();
    b.append('{');
    needComma = false;
    return this;
  }

  Json endObject() {
    b.append('}');
    needComma = true;
    return this;
  }

  Json beginArray() {
    comma();
    b.append('[');
    needComma = false;
    return this;
  }

  Json endArray() {
    b.append(']');
    needComma = true;
    return this;
  }

  /** A member name inside an object; the next value is its value. */
  Json name(String name) {
    comma();
    string(name);
    b.append(':');
    needComma = false;
    return this;
  }

  Json value(String s) {
    comma();
    if (s == null) {
      b.append("null");
    } else {
      string(s);
    }
    needComma = true;
    return this;
  }

  Json value(long n) {
    comma();
    b.append(n);
    needComma = true;
    return this;
  }

  Json value(double d) {
    comma();
    b.append(Double.isFinite(d) ? String.format(java.util.Locale.ROOT, "%.1f", d) : "null");
    needComma = true;
    return this;
  }

  /** A number already in JSON syntax (e.g. seconds with a fraction). */
  Json number(String n) {
    comma();
    b.append(n);
    needComma = true;
    return this;
  }

  Json value(boolean v) {
    comma();
    b.append(v);
    needComma = true;
    return this;
  }

  private void comma() {
    if (needComma) {
      b.append(',');
    }
  }

  private void string(String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          // < > & escaped too, so JSON pasted into HTML cannot close a tag
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  @Override
  public String toString() {
    return b.toString();
  }
}
