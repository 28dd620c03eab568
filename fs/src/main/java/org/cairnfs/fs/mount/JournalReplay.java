package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a mount rebuilds from its cache dir before it serves: the journal's valid prefix
 * replayed into {@code pending}, the sealed layers of the local {@code files} it names reopened
 * and forced, the spool swept of files nothing names. The journal is left as it was: the
 * caller replaces it only once this is done, so a mount that fails here leaves it for the next.
 *
 * @param nextSeq the sequence number after the journal's last
 * @param nextId a local id above every one the journal or the spool uses
 * @param records how many records the journal held
 */
record JournalReplay(PendingState pending, SpoolBudget budget, Map<Long, FileData> files,
    long nextSeq, long nextId, int records) {
  private static final Logger LOG = LoggerFactory.getLogger(JournalReplay.class);

  /** Replays the journal at {@code journalPath} over {@code spool}; refuses one it cannot read. */
  static JournalReplay of(Path journalPath, Path spool, long cacheBytes,
      FileData.BaseReader baseReader) throws IOException {
    JournalCodec.Decoded decoded = Journal.read(journalPath);
    if (!decoded.headerValid() && Files.size(journalPath) > 0) { // a missing one is valid
      throw new IOException("journal " + journalPath + " is not a version "
          + JournalCodec.VERSION + " Cairn journal; move it away to mount without it");
    }
    if (decoded.refusal().isPresent()) {
      throw new IOException("journal " + journalPath + " was written by an older Cairn (64 KiB"
          + " pages) and cannot be replayed by this one: " + decoded.refusal().get()
          + ". Mount this cache dir with the Cairn version that wrote it to upload that"
          + " file, or move the journal away to mount without it (its changes are lost)");
    }
    if (Files.exists(journalPath) && decoded.validLength() < Files.size(journalPath)) {
      LOG.warn("journal {}: ignoring a torn tail of {} bytes after {} records", journalPath,
          Files.size(journalPath) - decoded.validLength(), decoded.entries().size());
    }
    PendingState pending = new PendingState();
    long maxSeq = 0;
    for (JournalCodec.Entry e : decoded.entries()) {
      pending.apply(e.seq(), e.record());
      maxSeq = Math.max(maxSeq, e.seq());
      if (e.record() instanceof FileCommit c && c.inline().isPresent()) {
        LayerCommit.rebuild(spool, c);
      }
    }
    SpoolBudget budget = new SpoolBudget(cacheBytes);
    long maxId = pending.maxId();
    Set<String> keep = new HashSet<>();
    Map<Long, FileData> replayed = new HashMap<>();
    for (Long id : pending.referencedFiles()) {
      PendingState.FileState fs = pending.files().get(id);
      FileData data = new FileData(id, spool, budget, baseReader,
          fs == null ? Optional.empty() : fs.base, fs == null ? 0 : fs.baseSize);
      if (fs != null) {
        // new generations after those the grid holds: a commit numbered at or below them
        // would read as uploaded at the next replay and be dropped
        data.generationsAfter(fs.uploadedGen);
        for (FileCommit c : fs.layers.values()) {
          Path p = spool.resolve(id + "." + c.gen());
          if (!Files.exists(p)) {
            LOG.error("spool file {} of a committed change is missing; that change is lost", p);
            continue;
          }
          Layer l = Layer.reopen(p, c.gen(), PageRun.toBits(c.pages()), c.size(), c.limit());
          l.force();
          data.adoptSealed(l);
          keep.add(p.getFileName().toString());
        }
      }
      replayed.put(id, data);
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(spool)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        int dot = n.indexOf('.');
        try {
          maxId = Math.max(maxId, Long.parseLong(dot < 0 ? n : n.substring(0, dot)));
        } catch (NumberFormatException ignored) {
          // not ours
        }
        if (!keep.contains(n)) {
          Files.deleteIfExists(p);
        }
      }
    }
    Journal.forceDirectory(spool);
    return new JournalReplay(pending, budget, replayed, maxSeq + 1, maxId + 1,
        decoded.entries().size());
  }
}
