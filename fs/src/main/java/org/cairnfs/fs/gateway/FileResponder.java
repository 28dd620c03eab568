package org.cairnfs.fs.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.cairnfs.caps.Base32;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.fs.client.MutableContents;
import org.cairnfs.fs.client.GridFileSystem;

/**
 * Serves the bytes of a file: validators (the cap of immutable content is a perfect ETag, so
 * the ETag is a hash of it), conditional requests, ranges (single, multiple as
 * multipart/byteranges, suffix) and streaming through {@link GridFileSystem#open} with one
 * chunk in memory; a mutable file is read whole (it is small) and its version tag is the
 * validator. The first chunk is read before the status is sent, so a file that cannot be
 * recovered answers 503 rather than a cut 200.
 */
final class FileResponder {
  static final int CHUNK = 64 * 1024;
  /** IMF-fixdate (RFC 9110 5.6.7): two-digit day, always GMT. */
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern(
      "EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);

  private final GridFileSystem files;
  private final TransferLog transfers;
  private final MemorySlots mutableSlots;

  FileResponder(GridFileSystem files, TransferLog transfers, MemorySlots mutableSlots) {
    this.files = files;
    this.transfers = transfers;
    this.mutableSlots = mutableSlots;
  }

  /** Serves the file {@code node}; {@code label} names it on the status page (never a cap). */
  void serve(Exchange ex, PathWalker.Node node, String name, String label) throws IOException {
    Cap cap = node.parsed();
    if (cap instanceof MutableReadCap || cap instanceof MutableWriteCap) {
      // the newest version, read whole (mutable files are small) and held until it is sent;
      // its tag is the validator
      mutableSlots.hold(ex, () -> {
        MutableContents m = GridFailures.await(files.readMutable(node.cap()),
            "reading the mutable file");
        byte[] bytes = m.contents();
        serve(ex, node, name, label, bytes.length, etag(cap.readOnly() + "#" + m.versionTag()),
            "private, no-cache",
            (offset, length) -> new ByteArrayInputStream(bytes, (int) offset, (int) length));
        return null;
      });
    } else if (cap instanceof LiteralCap || cap instanceof ImmutableReadCap
        || cap instanceof ChunkedReadCap) {
      serve(ex, node, name, label, files.sizeOf(node.cap()), etag(node.cap()),
          node.entry().isEmpty() ? "private, max-age=31536000, immutable" : "private, no-cache",
          (offset, length) -> files.open(node.cap(), offset, length));
    } else {
      throw HttpError.badRequest("not a file cap this gateway can read: "
          + WebApi.kindOf(cap));
    }
  }

  private void serve(Exchange ex, PathWalker.Node node, String name, String label, long size,
      String etag, String cacheControl, Source source) throws IOException {
    Optional<Instant> modified = node.entry()
        .map(e -> e.metadata().mtime().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
        .filter(FileResponder::hasHttpDate);

    if (notModified(ex, etag, modified)) {
      FullHttpResponse r = Responses.empty(HttpResponseStatus.NOT_MODIFIED);
      r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      validators(r.headers(), etag, modified, cacheControl);
      ex.respond(r);
      return;
    }
    RangeRequest range = rangeApplies(ex, etag, modified)
        ? RangeRequest.of(ex.header(HttpHeaderNames.RANGE), size) : new RangeRequest.Whole();
    String type = MediaTypes.of(name);
    if (range instanceof RangeRequest.Unsatisfiable) {
      FullHttpResponse r = Responses.error(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
          "no requested range overlaps the file's " + size + " bytes");
      r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
      validators(r.headers(), etag, modified, cacheControl);
      ex.respond(r);
      return;
    }
    List<ByteRange> parts = range instanceof RangeRequest.Ranges rs ? rs.ranges()
        : List.of();
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1,
        parts.isEmpty() ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT);
    HttpHeaders h = head.headers();
    validators(h, etag, modified, cacheControl);
    h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
    if (!name.isEmpty()) {
      h.set(HttpHeaderNames.CONTENT_DISPOSITION, disposition(name,
          "true".equals(ex.param("save"))));
    }
    if (parts.size() > 1) {
      multipart(ex, source, head, parts, size, type, label);
      return;
    }
    long first = parts.isEmpty() ? 0 : parts.get(0).first();
    long length = parts.isEmpty() ? size : parts.get(0).length();
    h.set(HttpHeaderNames.CONTENT_TYPE, type);
    h.set(HttpHeaderNames.CONTENT_LENGTH, length);
    if (!parts.isEmpty()) {
      h.set(HttpHeaderNames.CONTENT_RANGE, parts.get(0).contentRange(size));
    }
    if (ex.isHead() || length == 0) {
      ex.sendHead(head);
      ex.finish();
      return;
    }
    try (TransferLog.Running t = transfers.start(NodeStatus.Direction.DOWNLOAD, label,
        OptionalLong.of(length))) {
      // The first chunk on its own: the grid reads only the segments under it, so the status
      // line and first bytes go out without waiting for a whole file chunk (time to first byte).
      ByteBuf firstChunk;
      try (InputStream in = source.open(first, Math.min(CHUNK, length))) {
        firstChunk = readChunk(ex, in, Math.min(CHUNK, length));
      }
      ex.sendHead(head);
      int n = firstChunk.writerIndex();
      ex.write(firstChunk);
      t.add(n);
      if (length > n) {
        try (InputStream in = source.open(first + n, length - n)) {
          copy(ex, in, length - n, t);
        }
      }
      ex.finish();
    }
  }

  private void multipart(Exchange ex, Source source, HttpResponse head, List<ByteRange> parts,
      long size, String type, String label) throws IOException {
    String boundary = "cairn-" + Long.toHexString(System.nanoTime())
        + Long.toHexString(Double.doubleToLongBits(Math.random()));
    List<byte[]> partHeads = new ArrayList<>();
    long total = 0;
    for (ByteRange r : parts) {
      byte[] ph = ("\r\n--" + boundary + "\r\nContent-Type: " + type + "\r\nContent-Range: "
          + r.contentRange(size) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      partHeads.add(ph);
      total += ph.length + r.length();
    }
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    total += tail.length;
    head.headers().set(HttpHeaderNames.CONTENT_TYPE,
        "multipart/byteranges; boundary=" + boundary);
    head.headers().set(HttpHeaderNames.CONTENT_LENGTH, total);
    if (ex.isHead()) {
      ex.sendHead(head);
      ex.finish();
      return;
    }
    try (TransferLog.Running t = transfers.start(NodeStatus.Direction.DOWNLOAD, label,
        OptionalLong.of(total))) {
      for (int i = 0; i < parts.size(); i++) {
        ByteRange r = parts.get(i);
        try (InputStream in = source.open(r.first(), r.length())) {
          ByteBuf firstChunk = readChunk(ex, in, Math.min(CHUNK, r.length()));
          if (i == 0) {
            ex.sendHead(head);
          }
          ex.write(Unpooled.wrappedBuffer(partHeads.get(i)));
          int n = firstChunk.writerIndex();
          ex.write(firstChunk);
          t.add(partHeads.get(i).length + n);
          copy(ex, in, r.length() - n, t);
        }
      }
      ex.write(Unpooled.wrappedBuffer(tail));
      t.add(tail.length);
      ex.finish();
    }
  }

  /** Where the bytes of a range come from: the grid (streamed) or a mutable version in memory. */
  @FunctionalInterface
  private interface Source {
    InputStream open(long offset, long length) throws IOException;
  }

  /** The size of the file {@code node} names (a mutable file is read for it). */
  long size(PathWalker.Node node) {
    Cap cap = node.parsed();
    if (cap instanceof MutableReadCap || cap instanceof MutableWriteCap) {
      return mutableSlots.hold(() -> GridFailures.await(files.readMutable(node.cap()),
          "reading the mutable file").size());
    }
    try {
      return files.sizeOf(node.cap());
    } catch (IllegalArgumentException e) {
      return node.entry().map(en -> en.metadata().size()).orElse(0L);
    }
  }

  /** Copies exactly {@code remaining} bytes, one chunk at a time, counting them in {@code t}. */
  private static void copy(Exchange ex, InputStream in, long remaining, TransferLog.Running t)
      throws IOException {
    while (remaining > 0) {
      ByteBuf buf = readChunk(ex, in, Math.min(CHUNK, remaining));
      int n = buf.writerIndex();
      remaining -= n;
      ex.write(buf);
      t.add(n);
    }
  }

  /** Reads exactly {@code n} bytes into a new buffer; a file that ends first is an error. */
  private static ByteBuf readChunk(Exchange ex, InputStream in, long n) throws IOException {
    ByteBuf buf = ByteBufAllocator.DEFAULT.buffer((int) n);
    try {
      while (buf.writerIndex() < n) {
        int got = buf.writeBytes(in, (int) (n - buf.writerIndex()));
        if (got < 0) {
          throw new IOException("the file ended before its size");
        }
      }
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  private static void validators(HttpHeaders h, String etag, Optional<Instant> modified,
      String cacheControl) {
    h.set(HttpHeaderNames.ETAG, etag);
    modified.ifPresent(m -> h.set(HttpHeaderNames.LAST_MODIFIED, date(m)));
    h.set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
  }

  /** A strong ETag: a hash of the read cap (the cap itself would put it in caches' keys). */
  static String etag(String readCap) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(readCap.getBytes(StandardCharsets.US_ASCII));
      return "\"" + Base32.encode(java.util.Arrays.copyOf(h, 20)) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 9110 13.2.2: If-None-Match wins over If-Modified-Since; both for GET and HEAD only. */
  static boolean notModified(Exchange ex, String etag, Optional<Instant> modified) {
    String inm = ex.header(HttpHeaderNames.IF_NONE_MATCH);
    if (inm != null) {
      for (String t : inm.split(",")) {
        String tag = t.trim();
        if (tag.startsWith("W/")) {
          tag = tag.substring(2); // weak comparison for If-None-Match
        }
        if (tag.equals("*") || tag.equals(etag)) {
          return true;
        }
      }
      return false;
    }
    String ims = ex.header(HttpHeaderNames.IF_MODIFIED_SINCE);
    if (ims != null && modified.isPresent()) {
      Optional<Instant> since = parseDate(ims);
      return since.isPresent() && !modified.get().isAfter(since.get());
    }
    return false;
  }

  /** If-Range: ranges apply only when the validator still matches (strong comparison). */
  static boolean rangeApplies(Exchange ex, String etag, Optional<Instant> modified) {
    String ir = ex.header(HttpHeaderNames.IF_RANGE);
    if (ir == null) {
      return true;
    }
    String v = ir.trim();
    if (v.startsWith("\"")) {
      return v.equals(etag); // a weak W/"..." is no date either: never applies

    }
    Optional<Instant> d = parseDate(v);
    return d.isPresent() && modified.isPresent() && d.get().equals(modified.get());
  }

  /** The first and the last instant an IMF-fixdate can name (four-digit years 0001-9999). */
  private static final Instant FIRST_HTTP_DATE = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant PAST_HTTP_DATES = Instant.parse("+10000-01-01T00:00:00Z");

  /**
   * Whether {@code t} has an HTTP date: an entry's mtime may be any {@link Instant} a writer
   * chose (the mount's utimens, a set-children line), up to {@link Instant#MAX}.
   */
  static boolean hasHttpDate(Instant t) {
    return !t.isBefore(FIRST_HTTP_DATE) && t.isBefore(PAST_HTTP_DATES);
  }

  /** {@code t} as an HTTP date; {@link #hasHttpDate} must hold. */
  static String date(Instant t) {
    if (!hasHttpDate(t)) {
      throw new IllegalArgumentException("no HTTP date for " + t);
    }
    return HTTP_DATE.format(ZonedDateTime.ofInstant(t, ZoneOffset.UTC));
  }

  /** {@code t} for people: its HTTP date, or its ISO form when it has none. */
  static String shownDate(Instant t) {
    return hasHttpDate(t) ? date(t) : t.toString();
  }

  static Optional<Instant> parseDate(String s) {
    try {
      return Optional.of(ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
          .toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** {@code inline; filename="..."; filename*=UTF-8''...} (RFC 6266), or attachment. */
  static String disposition(String name, boolean attachment) {
    StringBuilder ascii = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    }
    StringBuilder pct = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$&+-.^_`|~".indexOf(c) >= 0) {
        pct.append((char) c);
      } else {
        pct.append('%').append(String.format("%02X", c));
      }
    }
    return (attachment ? "attachment" : "inline") + "; filename=\"" + ascii
        + "\"; filename*=UTF-8''" + pct;
  }
}
