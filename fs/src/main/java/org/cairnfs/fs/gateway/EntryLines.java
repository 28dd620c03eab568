package org.cairnfs.fs.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * The text form of directory entries and entry changes that the set-children batch and the
 * local client channel carry (spec: docs/specs/webapi.md, "Entry lines"). Lossless: every field
 * of {@link NodeMetadata} survives, so a command run through a node prints what it prints
 * in-process.
 *
 * <p>A document is a header line {@code cairn-entries 1}, then one line per entry or change,
 * fields separated by one space, each field percent-encoded (every byte outside
 * {@code A-Z a-z 0-9 . _ ~ : / + =} as {@code %XX}), {@code -} standing for an absent field.
 * Example: {@code put a.txt cairn:chk:... file 5 644 2026-01-01T00:00:00Z 2026-01-01T00:00:00Z - -}
 */
public final class EntryLines {
  /** The header line of version 1. */
  public static final String HEADER = "cairn-entries 1";
  /** The media type of a document. */
  public static final String MEDIA_TYPE = "text/x-cairn-entries; charset=utf-8";

  private EntryLines() {}

  /** A malformed document: what is wrong and on which line. */
  public static final class FormatException extends IllegalArgumentException {
    FormatException(int line, String message) {
      super("entry line " + line + ": " + message);
    }
  }

  /** Entries of a listing, as {@code entry} lines. */
  public static String entries(List<RemoteEntry> entries) {
    StringBuilder b = new StringBuilder(64 + entries.size() * 160).append(HEADER).append('\n');
    for (RemoteEntry e : entries) {
      b.append("entry ");
      fields(b, e.name(), e.cap(), e.metadata());
      b.append('\n');
    }
    return b.toString();
  }

  /** A batch of changes, as {@code put} and {@code remove} lines. */
  public static String changes(List<EntryChange> changes) {
    StringBuilder b = new StringBuilder(64 + changes.size() * 160).append(HEADER).append('\n');
    for (EntryChange c : changes) {
      if (c instanceof EntryChange.Put p) {
        b.append("put ");
        fields(b, p.name(), p.cap(), p.metadata());
      } else if (c instanceof EntryChange.Remove r) {
        b.append("remove ").append(encode(r.name()));
      } else {
        throw new IllegalArgumentException("a create has no entry line: \"" + c.name() + "\"");
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** Parses {@code entry} lines. */
  public static List<RemoteEntry> parseEntries(String doc) {
    List<RemoteEntry> out = new ArrayList<>();
    List<String> lines = lines(doc);
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(" ", -1);
      if (!f[0].equals("entry") || f.length < 10 || f.length > 11) {
        throw new FormatException(i + 1, "expected 'entry' and 9 fields (10 for a device)");
      }
      out.add(entry(f, i + 1));
    }
    return out;
  }

  /** Parses {@code put} and {@code remove} lines. */
  public static List<EntryChange> parseChanges(String doc) {
    List<EntryChange> out = new ArrayList<>();
    List<String> lines = lines(doc);
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(" ", -1);
      if (f[0].equals("put") && (f.length == 10 || f.length == 11)) {
        RemoteEntry e = entry(f, i + 1);
        out.add(new EntryChange.Put(e.name(), e.cap(), e.metadata()));
      } else if (f[0].equals("remove") && f.length == 2) {
        out.add(new EntryChange.Remove(required(f[1], "name", i + 1)));
      } else {
        throw new FormatException(i + 1, "expected 'put' and 9 fields (10 for a device) or"
            + " 'remove' and a name");
      }
    }
    return out;
  }

  private static List<String> lines(String doc) {
    List<String> lines = new ArrayList<>(List.of(doc.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new FormatException(1, "expected the header '" + HEADER + "'");
    }
    return lines;
  }

  private static void fields(StringBuilder b, String name, Optional<String> cap,
      NodeMetadata m) {
    b.append(encode(name)).append(' ')
        .append(cap.map(EntryLines::encode).orElse("-")).append(' ')
        .append(m.kind().label()).append(' ')
        .append(m.size()).append(' ')
        .append(Integer.toOctalString(m.mode())).append(' ')
        .append(m.mtime()).append(' ')
        .append(m.ctime()).append(' ')
        .append(m.symlinkTarget().map(EntryLines::encode).orElse("-")).append(' ');
    if (m.xattrs().isEmpty()) {
      b.append('-');
    } else {
      boolean first = true;
      for (Map.Entry<String, byte[]> x : m.xattrs().entrySet()) {
        // '=' in a name is escaped too: the pair splits at its first '='
        b.append(first ? "" : ",").append(encode(x.getKey()).replace("=", "%3D")).append('=')
            .append(Base64.getEncoder().encodeToString(x.getValue()));
        first = false;
      }
    }
    if (m.kind().isDevice()) {
      b.append(' ').append(m.rdev()); // only devices have the tenth field
    }
  }

  private static RemoteEntry entry(String[] f, int line) {
    try {
      String name = required(f[1], "name", line);
      Optional<String> cap = optional(f[2]);
      EntryKind kind = null;
      for (EntryKind k : EntryKind.values()) {
        if (k.label().equals(f[3])) {
          kind = k;
        }
      }
      if (kind == null) {
        throw new FormatException(line, "unknown kind '" + f[3] + "'");
      }
      if (kind.isDevice() != (f.length == 11)) {
        throw new FormatException(line, "a device and only a device has a tenth field, its"
            + " device number");
      }
      long rdev = kind.isDevice() ? Long.parseLong(f[10]) : 0;
      long size = Long.parseLong(f[4]);
      int mode = Integer.parseInt(f[5], 8);
      Instant mtime = Instant.parse(f[6]);
      Instant ctime = Instant.parse(f[7]);
      Optional<String> target = optional(f[8]);
      Map<String, byte[]> xattrs = new TreeMap<>();
      if (!f[9].equals("-")) {
        for (String x : f[9].split(",", -1)) {
          int eq = x.indexOf('=');
          if (eq <= 0) {
            throw new FormatException(line, "an xattr needs name=base64");
          }
          xattrs.put(decode(x.substring(0, eq)), Base64.getDecoder().decode(x.substring(eq + 1)));
        }
      }
      return new RemoteEntry(name, cap, new NodeMetadata(kind, size, mode, mtime, ctime, target,
          xattrs, rdev));
    } catch (FormatException e) {
      throw e;
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new FormatException(line, "bad number or time: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new FormatException(line, e.getMessage());
    }
  }

  private static String required(String field, String what, int line) {
    if (field.equals("-") || field.isEmpty()) {
      throw new FormatException(line, "the " + what + " is missing");
    }
    return decode(field);
  }

  private static Optional<String> optional(String field) {
    return field.equals("-") ? Optional.empty() : Optional.of(decode(field));
  }

  /** Percent-encodes the UTF-8 bytes of {@code s} outside the safe set. */
  static String encode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(bytes.length + 8);
    for (byte x : bytes) {
      int c = x & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '~' || c == ':' || c == '/' || c == '+' || c == '=') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  static String decode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("a cut %-escape in '" + s + "'");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("a bad %-escape in '" + s + "'");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c > 0x7e || c <= 0x20) {
        throw new IllegalArgumentException("an unescaped character in '" + s + "'");
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
