package org.cairnfs.fs.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.cairnfs.fs.mount.JournalRecord.FileUploaded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file uploads of a round: every file a pending put names goes to the grid from its sealed
 * layers (only their dirty ranges), several at once, and its {@code FileUploaded} is journaled
 * and forced before the file lets its layers go.
 */
final class FileUploads {
  /** The uploader's logger: its messages read as they always have. */
  private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);

  private final WriteBack wb;
  private final UploadStatus status;

  FileUploads(WriteBack wb, UploadStatus status) {
    this.wb = wb;
    this.status = status;
  }

  /**
   * Uploads the files {@code needGen} names (by id) and waits for all of them.
   *
   * @param failed receives the files whose upload did not finish: entries naming them wait
   * @return the last failure, if any (a file removed meanwhile is none)
   */
  Optional<GridException> upload(Map<Long, Long> needGen, Set<Long> failed) {
    RoundFailures failures = new RoundFailures(LOG, "uploads of local files");
    Map<Long, CompletableFuture<Void>> inFlight = new HashMap<>();
    Map<Long, FileData> uploading = new HashMap<>();
    // a small file's upload is a few round trips and a share fsync per server, with next to no
    // bytes or CPU: SMALL_PER_SLOT of them share one slot, so that servers commit them together
    Semaphore slots = new Semaphore(wb.config.uploadParallelism() * Uploader.SMALL_PER_SLOT);
    for (Map.Entry<Long, Long> e : needGen.entrySet()) {
      FileData data = wb.files.get(e.getKey());
      if (data == null) {
        continue;
      }
      uploading.put(e.getKey(), data);
      Optional<FileData.Upload> up = data.prepareUpload();
      if (up.isEmpty() && data.base().isPresent()) {
        continue; // nothing sealed beyond what the grid has
      }
      FileData.Upload upload = up.orElseGet(() -> new FileData.Upload(0, 0,
          new FileWrite(Optional.empty(), 0, 0, List.of(), (o, d) -> { })));
      int weight = upload.size() <= Uploader.SMALL_FILE ? 1 : Uploader.SMALL_PER_SLOT;
      slots.acquireUninterruptibly(weight);
      CompletableFuture<Void> f;
      try {
        f = wb.grid.writeFile(upload.write()).thenAccept(cap -> {
          try {
            long seq = wb.record(new FileUploaded(data.id(), upload.gen(), cap, upload.size()));
            // on disk before the layers go: a power loss may drop an unforced suffix of the
            // journal, and a commit whose layer file is gone without its FileUploaded is lost.
            // Never the rewrite after a failed force here, on the grid's thread: it takes every
            // pending file's lock, which a reader may hold while it waits on the grid
            wb.durableWithoutRewrite(seq);
          } catch (IOException io) {
            throw new UncheckedIOException(io);
          }
          status.uploaded(); // counted before a writer waiting for room can see the room
          data.uploaded(upload.gen(), cap, upload.size());
          wb.budget.progressed(); // a writer past the bound waits while the backlog moves
        });
      } catch (RuntimeException ex) {
        f = CompletableFuture.failedFuture(ex);
      }
      f.whenComplete((v, t) -> slots.release(weight));
      inFlight.put(e.getKey(), f);
    }
    for (Map.Entry<Long, CompletableFuture<Void>> e : inFlight.entrySet()) {
      try {
        e.getValue().join();
      } catch (RuntimeException ex) {
        failed.add(e.getKey()); // its entries wait, whatever the reason
        if (wb.files.get(e.getKey()) != uploading.get(e.getKey())) {
          // unlinked and closed meanwhile: its layers went from under the upload, and nothing
          // refers to it any more, so this is no failure of the round
          LOG.debug("upload of local file {} stopped: the file was removed", e.getKey());
          continue;
        }
        failures.add("upload of local file " + e.getKey(), GridException.of(ex));
      }
    }
    failures.logCount();
    return failures.last();
  }
}
