package org.cairnfs.fs.gateway;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.CapFormatException;
import org.cairnfs.caps.UnknownCapAuthorityException;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * A directory as an HTML page and as JSON (docs/specs/webapi.md, section "Directory JSON").
 * Pure functions of the listing. The HTML never holds a write cap: children are linked by their
 * read caps, whatever cap the listing was read with. JSON holds write caps ({@code rw_uri}) only
 * when the request itself carried the directory's write cap.
 */
final class DirectoryPages {
  /** The version of the JSON layout; bumped on any incompatible change. */
  static final int JSON_VERSION = 1;

  private DirectoryPages() {}

  /**
   * Where a listing page sits in its directory: the name the next page starts after (when more
   * entries follow) and whether this page continues an earlier one.
   */
  record Paging(Optional<String> nextAfter, boolean continued) {
    static final Paging WHOLE = new Paging(Optional.empty(), false);
  }

  /** A listed child with its caps already split by authority. */
  record Child(String name, EntryKind kind, Optional<String> readCap,
      Optional<String> writeCap, NodeMetadata metadata) {}

  /** Splits entries into read and write caps; unknown kinds keep no cap (not linked). */
  static List<Child> children(List<RemoteEntry> entries) {
    List<Child> out = new ArrayList<>();
    for (RemoteEntry e : entries) {
      Optional<String> ro = Optional.empty();
      Optional<String> rw = Optional.empty();
      if (e.cap().isPresent()) {
        try {
          Cap c = Cap.parse(e.cap().get());
          ro = Optional.of(c.readOnly().toString());
          if (c.isWritable()) {
            rw = Optional.of(c.toString());
          }
        } catch (CapFormatException | UnknownCapAuthorityException ignored) {
          // shown without a link: this version cannot tell what it grants
        }
      }
      out.add(new Child(e.name(), e.metadata().kind(), ro, rw, e.metadata()));
    }
    out.sort(Comparator.comparing(Child::name));
    return out;
  }

  static String html(String title, boolean writable, List<Child> children, Paging paging) {
    StringBuilder b = new StringBuilder();
    b.append("<h1>").append(Html.escape(title)).append("</h1>\n<p>")
        .append(children.size()).append(children.size() == 1 ? " entry" : " entries")
        .append(paging.equals(Paging.WHOLE) ? "" : " on this page")
        .append(writable ? " (opened with a write cap; links below are read-only)" : "")
        .append("</p>\n<table>\n<tr><th>Name</th><th>Type</th><th>Size</th>"
            + "<th>Modified</th></tr>\n");
    for (Child c : children) {
      b.append("<tr><td>");
      String shown = Html.escape(c.name()) + (c.kind() == EntryKind.DIRECTORY ? "/" : "");
      if (c.kind() == EntryKind.SYMLINK) {
        b.append(shown).append(" &rarr; ")
            .append(Html.escape(c.metadata().symlinkTarget().orElse("")));
      } else if (c.readCap().isPresent()) {
        b.append("<a href=\"").append(Html.escape(link(c))).append("\">").append(shown)
            .append("</a>");
      } else {
        b.append(shown);
      }
      b.append("</td><td>").append(c.kind().label()).append("</td><td class=\"n\">")
          .append(c.kind() == EntryKind.FILE ? Html.escape(Html.bytes(c.metadata().size())) : "")
          .append("</td><td>").append(Html.escape(FileResponder.shownDate(c.metadata().mtime())))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
    paging.nextAfter().ifPresent(n -> b.append("<p><a href=\"")
        .append(Html.escape("?after=" + URLEncoder.encode(n, StandardCharsets.UTF_8)
            .replace("+", "%20")))
        .append("\">Next page</a></p>\n"));
    if (paging.continued()) {
      b.append("<p><a href=\"?\">First page</a></p>\n");
    }
    b.append("<p><a href=\"/\">Status and open a cap</a></p>");
    return Html.page(title, b.toString());
  }

  /** The link of a child: its read cap, with its name for files (type and download name). */
  static String link(Child c) {
    String href = "/uri/" + c.readCap().orElseThrow();
    if (c.kind() == EntryKind.FILE) {
      href += "?filename=" + URLEncoder.encode(c.name(), StandardCharsets.UTF_8)
          .replace("+", "%20");
    }
    return href;
  }

  /** With {@code next_after} (the name the next page starts after) when more entries follow. */
  static String json(String readCap, Optional<String> writeCap, List<Child> children,
      Paging paging) {
    Json j = new Json().beginArray().value("dirnode").beginObject()
        .name("version").value(JSON_VERSION)
        .name("ro_uri").value(readCap);
    writeCap.ifPresent(w -> j.name("rw_uri").value(w));
    j.name("mutable").value(true).name("children").beginObject();
    for (Child c : children) {
      j.name(c.name()).beginArray().value(nodeType(c)).beginObject();
      if (c.kind() == EntryKind.SYMLINK) {
        j.name("target").value(c.metadata().symlinkTarget().orElse(""));
      } else if (c.kind().isSpecial()) {
        if (c.kind().isDevice()) {
          j.name("rdev").value(c.metadata().rdev());
        }
      } else {
        j.name("ro_uri").value(c.readCap().orElse(null));
        if (writeCap.isPresent() && c.writeCap().isPresent()) {
          j.name("rw_uri").value(c.writeCap().get());
        }
        if (c.kind() == EntryKind.FILE) {
          j.name("size").value(c.metadata().size());
        }
        // every writable cap (dir, mut) has a dir-ro or mut-ro read cap
        j.name("mutable").value(c.readCap().map(r -> r.startsWith("cairn:dir-ro:")
            || r.startsWith("cairn:mut-ro:")).orElse(false));
      }
      metadata(j, c.metadata());
      j.endObject().endArray();
    }
    j.endObject();
    paging.nextAfter().ifPresent(n -> j.name("next_after").value(n));
    return j.endObject().endArray().toString();
  }

  static String fileJson(String readCap, long size, Optional<NodeMetadata> metadata) {
    return fileJson(readCap, Optional.empty(), size, metadata);
  }

  /** A file's JSON; {@code writeCap} only when the request held a mutable file's write cap. */
  static String fileJson(String readCap, Optional<String> writeCap, long size,
      Optional<NodeMetadata> metadata) {
    Json j = new Json().beginArray().value("filenode").beginObject()
        .name("version").value(JSON_VERSION)
        .name("ro_uri").value(readCap);
    writeCap.ifPresent(w -> j.name("rw_uri").value(w));
    j.name("size").value(size)
        .name("mutable").value(readCap.startsWith("cairn:mut-ro:"));
    metadata.ifPresent(m -> metadata(j, m));
    return j.endObject().endArray().toString();
  }

  private static void metadata(Json j, NodeMetadata m) {
    j.name("metadata").beginObject()
        .name("mtime").number(seconds(m.mtime()))
        .name("ctime").number(seconds(m.ctime()))
        .name("mode").value((long) m.mode())
        .endObject();
  }

  private static String seconds(Instant t) {
    return t.getEpochSecond() + "." + String.format(java.util.Locale.ROOT, "%09d", t.getNano());
  }

  private static String nodeType(Child c) {
    if (!c.kind().hasCap()) {
      return c.kind().label();
    }
    if (c.readCap().isEmpty()) {
      return "unknown";
    }
    return c.kind() == EntryKind.DIRECTORY ? "dirnode" : "filenode";
  }
}
