package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.client.MutableContents;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * The changes the web API makes with a write cap: upload a file (linked or not), make a
 * directory, delete and rename entries. Each is one batch of {@link GridFileSystem#applyChanges}
 * on the parent directory, so it is atomic as readers see it. With a read cap every one answers
 * 403 before a byte of the body is read.
 */
final class WebApi {
  static final int FILE_MODE = 0644;
  static final int DIR_MODE = 0755;

  private final GridFileSystem files;
  private final PathWalker walker;
  private final TransferLog transfers;
  private final MemorySlots mutableSlots;

  WebApi(GridFileSystem files, PathWalker walker, TransferLog transfers,
      MemorySlots mutableSlots) {
    this.files = files;
    this.walker = walker;
    this.transfers = transfers;
    this.mutableSlots = mutableSlots;
  }

  /** What a change answers: the status and the text body (a cap, or a short message). */
  record Result(HttpResponseStatus status, String body) {}

  /** {@code PUT /uri}: an unlinked file; its read cap. */
  Result uploadUnlinked(BodyStream body) throws IOException {
    try (TransferLog.Running t = transfers.start(NodeStatus.Direction.UPLOAD,
        "(unlinked file)", OptionalLong.empty())) {
      String cap = upload(new CountingStream(orEmpty(body), t));
      return new Result(HttpResponseStatus.OK, cap);
    }
  }

  /** {@code PUT /uri?mutable=true}: a new mutable file holding the body; its write cap. */
  Result createMutable(Exchange ex) throws IOException {
    return mutableSlots.hold(ex, () -> new Result(HttpResponseStatus.OK,
        GridFailures.await(files.createMutable(readSmall(ex.body())), "creating a mutable file")));
  }

  /** {@code PUT /uri/<mutable write cap>}: replaces the mutable file's contents. */
  Result overwriteMutable(UriPath path, Exchange ex) throws IOException {
    requireWritable(path.cap(), "PUT");
    MutableContents v = mutableSlots.hold(ex, () -> GridFailures.await(
        files.overwriteMutable(path.capText(), readSmall(ex.body())),
        "publishing the mutable file"));
    return new Result(HttpResponseStatus.OK, "published version " + v.seqnum() + " ("
        + v.size() + " bytes)");
  }

  /** A mutable file's new contents, refused with 413 past what the grid takes. */
  private byte[] readSmall(BodyStream body) throws IOException {
    long max = files.maxMutableSize();
    if (max <= 0) {
      throw new HttpError(HttpResponseStatus.NOT_IMPLEMENTED, "this grid keeps no mutable"
          + " files");
    }
    InputStream in = orEmpty(body);
    byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
    if (b.length > max) {
      throw new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "a mutable file holds"
          + " at most " + max + " bytes; store larger files as immutable ones");
    }
    return b;
  }

  private static InputStream orEmpty(BodyStream body) {
    return body == null ? InputStream.nullInputStream() : body;
  }

  /** {@code POST /uri?t=mkdir}: an unlinked directory; its write cap. */
  Result mkdirUnlinked() {
    return new Result(HttpResponseStatus.OK,
        GridFailures.await(files.createDirectory(), "creating a directory"));
  }

  /** {@code PUT /uri/<dircap>/path/name}: uploads the body as {@code name}; its read cap. */
  Result put(UriPath path, BodyStream body, boolean replace) throws IOException {
    Parent p = parent(path, "PUT", true);
    Optional<RemoteEntry> old = GridFailures.await(files.lookup(p.cap, p.name),
        "reading the directory");
    if (old.isPresent()) {
      if (old.get().metadata().kind() == EntryKind.DIRECTORY) {
        throw new HttpError(HttpResponseStatus.CONFLICT, "'" + p.name + "' is a directory;"
            + " DELETE it first to put a file there");
      }
      if (!replace) {
        throw new HttpError(HttpResponseStatus.CONFLICT, "'" + p.name + "' exists and"
            + " replace=false was given");
      }
    }
    String cap;
    CountingStream counted;
    try (TransferLog.Running t = transfers.start(NodeStatus.Direction.UPLOAD,
        TransferLog.label(path, p.name), OptionalLong.empty())) {
      counted = new CountingStream(orEmpty(body), t);
      cap = upload(counted);
    }
    Instant now = Instant.now();
    NodeMetadata m = NodeMetadata.of(EntryKind.FILE, counted.count, FILE_MODE, now, now);
    GridFailures.await(files.applyChanges(p.cap,
        List.of(new EntryChange.Put(p.name, Optional.of(cap), m))), "linking '" + p.name + "'");
    return new Result(old.isPresent() ? HttpResponseStatus.OK : HttpResponseStatus.CREATED, cap);
  }

  /** {@code POST /uri/<dircap>/path/name?t=mkdir}: a new directory; its write cap. */
  Result mkdir(UriPath path) {
    Parent p = parent(path, "mkdir", true);
    if (GridFailures.await(files.lookup(p.cap, p.name), "reading the directory").isPresent()) {
      throw new HttpError(HttpResponseStatus.CONFLICT, "'" + p.name + "' exists already");
    }
    return new Result(HttpResponseStatus.CREATED, makeDirectory(p.cap, p.name));
  }

  /** {@code DELETE /uri/<dircap>/path/name}: unlinks the entry. */
  Result delete(UriPath path) {
    Parent p = parent(path, "DELETE", false);
    if (GridFailures.await(files.lookup(p.cap, p.name), "reading the directory").isEmpty()) {
      throw HttpError.notFound("no '" + p.name + "' to delete");
    }
    GridFailures.await(files.applyChanges(p.cap, List.of(new EntryChange.Remove(p.name))),
        "unlinking '" + p.name + "'");
    return new Result(HttpResponseStatus.OK, "deleted " + p.name);
  }

  /**
   * {@code POST /uri/<dircap>[/path]?t=rename&from_name=A&to_name=B}: renames inside that
   * directory, replacing B (unless replace=false).
   */
  Result rename(UriPath path, String from, String to, boolean replace) {
    if (from == null || to == null) {
      throw HttpError.badRequest("t=rename needs from_name and to_name");
    }
    UriPath.checkName(from);
    UriPath.checkName(to);
    requireWritable(path.cap(), "rename");
    PathWalker.Node dir = walker.walk(path);
    if (!dir.isDirectory()) {
      throw HttpError.badRequest("t=rename is for a directory; this path is a file");
    }
    requireWritable(dir.parsed(), "rename");
    RemoteEntry e = GridFailures.await(files.lookup(dir.cap(), from), "reading the directory")
        .orElseThrow(() -> HttpError.notFound("no '" + from + "' to rename"));
    if (from.equals(to)) {
      return new Result(HttpResponseStatus.OK, "renamed " + from + " to " + to);
    }
    if (!replace && GridFailures.await(files.lookup(dir.cap(), to), "reading the directory")
        .isPresent()) {
      throw new HttpError(HttpResponseStatus.CONFLICT, "'" + to + "' exists and replace=false"
          + " was given");
    }
    GridFailures.await(files.applyChanges(dir.cap(), List.of(new EntryChange.Remove(from),
        new EntryChange.Put(to, e.cap(), e.metadata()))), "renaming '" + from + "'");
    return new Result(HttpResponseStatus.OK, "renamed " + from + " to " + to);
  }

  private String upload(InputStream in) throws IOException {
    try {
      return GridFailures.await(files.upload(in), "uploading");
    } catch (IOException e) {
      throw GridFailures.map(e, "uploading");
    }
  }

  private record Parent(String cap, String name) {}

  /**
   * The writable directory holding the last name of the path, and that name. With
   * {@code create}, missing directories on the way are made (as Tahoe's PUT does); two requests
   * making the same one at once may each make it, and the later link wins.
   */
  private Parent parent(UriPath path, String what, boolean create) {
    requireWritable(path.cap(), what);
    if (path.names().isEmpty()) {
      throw HttpError.badRequest(what + " needs a name after the directory cap:"
          + " /uri/<dircap>/name");
    }
    if (!path.cap().isDirectory()) {
      throw HttpError.badRequest(what + " needs a directory cap, not a file cap");
    }
    List<String> names = path.names();
    PathWalker.Node dir = new PathWalker.Node(path.capText(), path.cap(), Optional.empty());
    for (int i = 0; i < names.size() - 1; i++) {
      String name = names.get(i);
      Optional<RemoteEntry> e = GridFailures.await(files.lookup(dir.cap(), name),
          "reading directory '/" + String.join("/", names.subList(0, i)) + "'");
      if (e.isEmpty() && create) {
        requireWritable(dir.parsed(), what);
        makeDirectory(dir.cap(), name);
      }
      dir = walker.walk(dir.cap(), dir.parsed(), List.of(name), 1);
      if (!dir.isDirectory()) {
        throw HttpError.badRequest("'" + String.join("/", names.subList(0, i + 1))
            + "' is a file, not a directory");
      }
    }
    requireWritable(dir.parsed(), what);
    return new Parent(dir.cap(), path.lastName());
  }

  /** Makes an empty directory and links it as {@code name}; its write cap. */
  private String makeDirectory(String parentCap, String name) {
    String cap = GridFailures.await(files.createDirectory(), "creating a directory");
    Instant now = Instant.now();
    NodeMetadata m = NodeMetadata.of(EntryKind.DIRECTORY, 0, DIR_MODE, now, now);
    GridFailures.await(files.applyChanges(parentCap,
        List.of(new EntryChange.Put(name, Optional.of(cap), m))), "linking '" + name + "'");
    return cap;
  }

  static void requireWritable(Cap cap, String what) {
    if (!cap.isWritable()) {
      throw HttpError.forbidden(what + " needs a write cap: this is a read-only cap ("
          + kindOf(cap) + "), which can never change anything");
    }
  }

  static String kindOf(Cap cap) {
    String s = cap.toString();
    int second = s.indexOf(':', Cap.SCHEME.length());
    return second < 0 ? s : s.substring(0, second);
  }

  /** Counts the bytes an upload read, also into its transfer. */
  private static final class CountingStream extends java.io.FilterInputStream {
    private final TransferLog.Running transfer;
    long count;

    CountingStream(InputStream in, TransferLog.Running transfer) {
      super(in);
      this.transfer = transfer;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
        transfer.add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        transfer.add(n);
      }
      return n;
    }
  }
}
