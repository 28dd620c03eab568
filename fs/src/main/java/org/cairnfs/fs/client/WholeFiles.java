package org.cairnfs.fs.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.mount.FileWrite;

/**
 * Files as whole immutable files (a literal cap up to 55 bytes): every write uploads the whole
 * new version, streamed from its base and dirty ranges. Simple and correct, but a one-byte
 * change to a large file re-encodes all of it; chunked files replace this store.
 *
 * <p>Reads keep recently read files open (up to 64, two minutes idle), so a reader stepping
 * through a file does not locate its shares again for every range.
 */
final class WholeFiles implements FileStore {
  private final GridClient grid;
  private final Cache<String, ImmutableFile> open = Caffeine.newBuilder().maximumSize(64)
      .expireAfterAccess(Duration.ofMinutes(2))
      .<String, ImmutableFile>removalListener((k, f, cause) -> {
        if (f != null) {
          f.close();
        }
      }).build();

  WholeFiles(GridClient grid) {
    this.grid = grid;
  }

  @Override
  public CompletableFuture<String> write(FileWrite write) {
    Cap base = write.base().map(Cap::parse).orElse(null);
    ImmutableFile baseFile = base instanceof ImmutableReadCap i ? grid.open(i) : null;
    EditedContent.Base ranges;
    if (base == null || write.baseLength() == 0) {
      ranges = (offset, length) -> {
        throw new IOException("no base to read");
      };
    } else if (base instanceof LiteralCap l) {
      byte[] data = l.data();
      ranges = (offset, length) -> new ByteArrayInputStream(data, (int) offset, (int) length);
    } else if (baseFile != null) {
      ranges = baseFile::openStream;
    } else {
      throw new IllegalArgumentException("cannot edit a " + base.getClass().getSimpleName()
          + " as a whole file");
    }
    return grid.upload(new EditedContent(write, ranges)).whenComplete((r, e) -> {
      if (baseFile != null) {
        baseFile.close();
      }
    }).thenApply(r -> r.cap().toString());
  }

  @Override
  public CompletableFuture<String> upload(InputStream in) throws IOException {
    Path spool = Files.createTempFile("cairn-upload", ".spool");
    try {
      Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(spool);
      throw e;
    }
    return grid.upload(PlaintextSource.of(spool)).whenComplete((r, e) -> {
      try {
        Files.deleteIfExists(spool);
      } catch (IOException ignored) {
        // a temp file left behind; nothing else to do
      }
    }).thenApply(r -> r.cap().toString());
  }

  @Override
  public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must be >= 0, got " + offset
          + " and " + length);
    }
    Cap cap = Cap.parse(fileCap);
    if (cap instanceof LiteralCap l) {
      byte[] data = l.data();
      int from = (int) Math.min(offset, data.length);
      return CompletableFuture.completedFuture(Arrays.copyOfRange(data, from,
          (int) Math.min(data.length, from + (long) length)));
    }
    ImmutableReadCap i = immutable(cap);
    if (offset >= i.size() || length == 0) {
      return CompletableFuture.completedFuture(new byte[0]);
    }
    int n = (int) Math.min(length, i.size() - offset);
    String key = i.toString();
    ImmutableFile f = open.get(key, k -> grid.open(i));
    return f.read(offset, n).whenComplete((b, e) -> {
      if (e != null) {
        open.asMap().remove(key, f);
      }
    });
  }

  @Override
  public InputStream open(String fileCap, long offset, long length) {
    Cap cap = Cap.parse(fileCap);
    if (cap instanceof LiteralCap l) {
      byte[] data = l.data();
      int from = (int) Math.min(offset, data.length);
      return new ByteArrayInputStream(data, from,
          (int) Math.min(data.length - from, Math.max(0, length)));
    }
    ImmutableFile f = grid.open(immutable(cap));
    return new FilterInputStream(f.openStream(offset, length)) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          f.close();
        }
      }
    };
  }

  private static ImmutableReadCap immutable(Cap cap) {
    if (cap instanceof ImmutableReadCap i) {
      return i;
    }
    throw new IllegalArgumentException("not a file read cap this store reads: "
        + cap.getClass().getSimpleName());
  }
}
