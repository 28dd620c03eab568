package org.cairnfs.fs.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A strict reader of multipart/byteranges bodies, for the tests. */
final class Multipart {
  record Part(String type, String contentRange, byte[] body) {}

  private Multipart() {}

  static List<Part> parse(byte[] body, String boundary) {
    List<Part> parts = new ArrayList<>();
    byte[] delim = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(body, delim, 0);
    if (at != 0) {
      throw new IllegalArgumentException("body does not start with the boundary");
    }
    while (true) {
      int afterDelim = at + delim.length;
      if (body[afterDelim] == '-' && body[afterDelim + 1] == '-') {
        if (afterDelim + 4 != body.length) {
          throw new IllegalArgumentException("bytes after the closing boundary");
        }
        return parts;
      }
      int headEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), afterDelim);
      String head = new String(body, afterDelim + 2, headEnd - afterDelim - 2,
          StandardCharsets.US_ASCII);
      String type = null;
      String range = null;
      for (String line : head.split("\r\n")) {
        String[] kv = line.split(":", 2);
        if (kv[0].equalsIgnoreCase("Content-Type")) {
          type = kv[1].trim();
        } else if (kv[0].equalsIgnoreCase("Content-Range")) {
          range = kv[1].trim();
        }
      }
      int next = indexOf(body, delim, headEnd + 4);
      parts.add(new Part(type, range, Arrays.copyOfRange(body, headEnd + 4, next)));
      at = next;
    }
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
