package org.cairnfs.cli;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ls}: the entries of a directory, one name per line; {@code -l} adds kind and mode,
 * size and modification time; {@code --json} gives every field, caps included. A file lists
 * as itself. Costs one directory read: sizes come from the entries, not the files.
 */
@Command(name = "ls", description = "List a directory on the grid (a file lists itself).")
final class ListCommand extends GridVerb {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());

  @Option(names = "-l", description = "Long format: mode, size, modification time, name.")
  boolean longFormat;

  @Option(names = "--json", description = "A JSON array of entries (name, kind, size, mode,"
      + " mtime, readCap, writeCap where held, target of a symlink).")
  boolean json;

  @Parameters(index = "0", paramLabel = "TARGET", description = "ALIAS:path, ALIAS:, or a cap.")
  String target;

  @Override
  int run() {
    GridPath p = grid(target);
    PathLookup.Found f = lookup().resolve(p);
    List<RemoteEntry> entries;
    if (f.isDirectory()) {
      entries = new ArrayList<>(GridCalls.await(files().list(f.requireCap()), "list " + p));
      entries.sort(Comparator.comparing(RemoteEntry::name));
    } else {
      String cap = f.cap().orElse(null);
      NodeMetadata md = f.metadata().orElseGet(() -> Transfers.newFile(
          Transfers.sizeOf(files(), cap, f.metadata())));
      entries = List.of(new RemoteEntry(p.isRoot() ? Aliases.redact(cap) : p.name(),
          f.cap(), md));
    }
    PrintWriter out = out();
    if (json) {
      out.println("[");
      for (int i = 0; i < entries.size(); i++) {
        out.println("  " + json(entries.get(i)) + (i + 1 < entries.size() ? "," : ""));
      }
      out.println("]");
    } else {
      for (RemoteEntry e : entries) {
        out.println(longFormat ? longLine(e) : e.name());
      }
    }
    out.flush();
    return 0;
  }

  static String longLine(RemoteEntry e) {
    NodeMetadata m = e.metadata();
    String line = String.format(Locale.ROOT, "%s %12d %s %s", modeString(m), m.size(),
        TIME.format(m.mtime()), e.name());
    return m.symlinkTarget().map(t -> line + " -> " + t).orElse(line);
  }

  static String modeString(NodeMetadata m) {
    StringBuilder s = new StringBuilder();
    s.append(switch (m.kind()) {
      case DIRECTORY -> 'd';
      case SYMLINK -> 'l';
      case FILE -> '-';
      case FIFO -> 'p';
      case CHAR_DEVICE -> 'c';
      case BLOCK_DEVICE -> 'b';
      case SOCKET -> 's';
    });
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      s.append((m.mode() & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
    }
    return s.toString();
  }

  static String json(RemoteEntry e) {
    NodeMetadata m = e.metadata();
    StringBuilder s = new StringBuilder("{");
    field(s, "name", e.name());
    s.append(", ");
    field(s, "kind", m.kind().label());
    if (m.kind().isDevice()) {
      s.append(", \"rdev\": ").append(m.rdev());
    }
    s.append(", \"size\": ").append(m.size());
    s.append(", \"mode\": \"0").append(Integer.toOctalString(m.mode())).append('"');
    s.append(", ");
    field(s, "mtime", m.mtime().toString());
    if (e.cap().isPresent()) {
      Cap cap = Cap.parse(e.cap().get());
      s.append(", ");
      try {
        field(s, "readCap", cap.readOnly().toString());
      } catch (RuntimeException unknownAuthority) {
        field(s, "cap", cap.toString()); // a kind this version does not know: not called a read cap
      }
      if (cap.isWritable()) {
        s.append(", ");
        field(s, "writeCap", cap.toString());
      }
    }
    if (m.kind() == EntryKind.SYMLINK) {
      s.append(", ");
      field(s, "target", m.symlinkTarget().orElse(""));
    }
    return s.append('}').toString();
  }

  private static void field(StringBuilder s, String name, String value) {
    s.append('"').append(name).append("\": ");
    quote(s, value);
  }

  static void quote(StringBuilder s, String v) {
    s.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> {
          if (c < 0x20) {
            s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    s.append('"');
  }
}
