package org.cairnfs.fs.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * The status page ({@code GET /}) and its JSON ({@code GET /status?t=json}, docs/specs/webapi.md
 * section "Status JSON"). A public read-only gateway shows health only: how many servers are
 * connected, nothing about who they are or what this node moves.
 */
final class StatusPage {
  static final int JSON_VERSION = 1;

  private StatusPage() {}

  static String html(NodeStatus s, boolean publicReadOnly, Instant now) {
    StringBuilder b = new StringBuilder();
    b.append("<h1>Cairn node</h1>\n");
    b.append("<form method=\"get\" action=\"/uri\"><label>Open a cap: <input name=\"uri\""
        + " size=\"80\" autocomplete=\"off\" placeholder=\"cairn:dir-ro:...\"></label>"
        + " <button type=\"submit\">Open</button></form>\n");
    long connected = s.connectedServers();
    b.append("<h2>Health</h2>\n<p class=\"").append(connected > 0 ? "ok" : "bad").append("\">")
        .append(connected).append(" of ").append(s.servers().size())
        .append(" storage servers connected</p>\n");
    if (publicReadOnly) {
      b.append("<p>This gateway is public and read-only.</p>");
      return Html.page("Cairn node", b.toString());
    }
    s.nodeId().ifPresent(id -> b.append("<p>Node id: <code>").append(Html.escape(id))
        .append("</code></p>\n"));
    b.append("<h2>Introducers</h2>\n");
    if (s.introducers().isEmpty()) {
      b.append("<p>none configured</p>\n");
    } else {
      b.append("<table><tr><th>Address</th><th>State</th></tr>\n");
      for (NodeStatus.Introducer i : s.introducers()) {
        b.append("<tr><td>").append(Html.escape(i.address())).append("</td><td>")
            .append(i.connected() ? "connected" : "not connected").append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<h2>Storage servers</h2>\n<table><tr><th>Nickname</th><th>Node id</th>"
        + "<th>State</th><th>Free</th><th>Last seen</th></tr>\n");
    for (NodeStatus.Server v : s.servers()) {
      b.append("<tr><td>").append(Html.escape(v.nickname())).append("</td><td><code>")
          .append(Html.escape(v.nodeId())).append("</code></td><td>")
          .append(v.connected() ? "connected" : "not connected").append("</td><td class=\"n\">")
          .append(bytes(v.freeBytes())).append("</td><td>")
          .append(v.lastSeen().map(t -> ago(t, now)).orElse("never")).append("</td></tr>\n");
    }
    b.append("</table>\n");
    b.append("<h2>This node's storage</h2>\n<p>");
    if (s.storage().isPresent()) {
      NodeStatus.StorageUse u = s.storage().get();
      b.append(Html.escape(Html.bytes(u.usedBytes()))).append(" used")
          .append(u.maxBytes().isPresent() ? " of " + Html.bytes(u.maxBytes().getAsLong()) : "");
    } else {
      b.append("this node runs no storage server");
    }
    b.append("</p>\n<h2>Transfers</h2>\n");
    if (s.transfers().isEmpty()) {
      b.append("<p>none recently</p>\n");
    } else {
      b.append("<table><tr><th>What</th><th>Direction</th><th>Done</th><th>Size</th>"
          + "<th>Rate</th><th>State</th></tr>\n");
      for (NodeStatus.Transfer t : s.transfers()) {
        b.append("<tr><td>").append(Html.escape(t.label())).append("</td><td>")
            .append(t.direction() == NodeStatus.Direction.UPLOAD ? "upload" : "download")
            .append("</td><td class=\"n\">").append(Html.bytes(t.bytesDone()))
            .append("</td><td class=\"n\">").append(bytes(t.totalBytes()))
            .append("</td><td class=\"n\">").append(Html.bytes((long) t.bytesPerSecond()))
            .append("/s</td><td>").append(t.active() ? "running" : "done")
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<h2>Write-back queues of local mounts</h2>\n");
    if (s.mounts().isEmpty()) {
      b.append("<p>no mounts</p>\n");
    } else {
      b.append("<table><tr><th>Mount point</th><th>Files waiting</th><th>Bytes waiting</th>"
          + "<th>Last error</th></tr>\n");
      for (NodeStatus.MountQueue m : s.mounts()) {
        b.append("<tr><td>").append(Html.escape(m.mountPoint())).append("</td><td class=\"n\">")
            .append(m.pendingFiles()).append("</td><td class=\"n\">")
            .append(Html.bytes(m.pendingBytes())).append("</td><td>")
            .append(Html.escape(m.lastError().orElse(""))).append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append("<p><a href=\"/status?t=json\">as JSON</a> &middot; <a href=\"/metrics\">metrics"
        + "</a></p>");
    return Html.page("Cairn node", b.toString());
  }

  static String json(NodeStatus s, boolean publicReadOnly) {
    Json j = new Json().beginObject().name("version").value(JSON_VERSION)
        .name("servers_connected").value(s.connectedServers())
        .name("servers_known").value((long) s.servers().size());
    if (!publicReadOnly) {
      j.name("node_id").value(s.nodeId().orElse(null));
      j.name("introducers").beginArray();
      for (NodeStatus.Introducer i : s.introducers()) {
        j.beginObject().name("address").value(i.address()).name("connected")
            .value(i.connected()).endObject();
      }
      j.endArray().name("servers").beginArray();
      for (NodeStatus.Server v : s.servers()) {
        j.beginObject().name("nickname").value(v.nickname()).name("node_id").value(v.nodeId())
            .name("connected").value(v.connected());
        optional(j, "free_bytes", v.freeBytes());
        j.name("last_seen").value(v.lastSeen().map(Instant::toString).orElse(null));
        j.endObject();
      }
      j.endArray().name("storage");
      if (s.storage().isPresent()) {
        j.beginObject().name("used_bytes").value(s.storage().get().usedBytes());
        optional(j, "max_bytes", s.storage().get().maxBytes());
        j.endObject();
      } else {
        j.value((String) null);
      }
      j.name("transfers").beginArray();
      for (NodeStatus.Transfer t : s.transfers()) {
        j.beginObject().name("direction").value(t.direction().name().toLowerCase())
            .name("label").value(t.label()).name("bytes_done").value(t.bytesDone());
        optional(j, "total_bytes", t.totalBytes());
        j.name("bytes_per_second").value(t.bytesPerSecond()).name("active").value(t.active())
            .name("started").value(t.started().toString()).endObject();
      }
      j.endArray().name("mounts").beginArray();
      for (NodeStatus.MountQueue m : s.mounts()) {
        j.beginObject().name("mount_point").value(m.mountPoint())
            .name("pending_files").value((long) m.pendingFiles())
            .name("pending_bytes").value(m.pendingBytes())
            .name("last_error").value(m.lastError().orElse(null)).endObject();
      }
      j.endArray();
    }
    return j.endObject().toString();
  }

  private static void optional(Json j, String name, OptionalLong v) {
    j.name(name);
    if (v.isPresent()) {
      j.value(v.getAsLong());
    } else {
      j.value((String) null);
    }
  }

  private static String bytes(OptionalLong v) {
    return v.isPresent() ? Html.bytes(v.getAsLong()) : "?";
  }

  static String ago(Instant t, Instant now) {
    long s = Math.max(0, Duration.between(t, now).getSeconds());
    if (s < 120) {
      return s + " s ago";
    } else if (s < 7200) {
      return s / 60 + " min ago";
    } else if (s < 172800) {
      return s / 3600 + " h ago";
    }
    return s / 86400 + " d ago";
  }
}
