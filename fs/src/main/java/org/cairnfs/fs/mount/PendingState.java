package org.cairnfs.fs.mount;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.cairnfs.fs.mount.JournalRecord.FileUploaded;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;

/**
 * What the journal says is not yet on the grid: per directory the newest change of each name,
 * the caps of directories created so far, and each local file's sealed generations. Built by
 * applying records in order, at replay and live alike; not thread-safe (the write-back holds
 * its lock). Entry changes are idempotent (put this, remove that), so replaying a change the
 * grid already has does no harm.
 *
 * <p>A name's change keeps the {@code fresh} of the change it replaces, which was recorded
 * when the grid still had what the mount saw: a file created (fresh) and rewritten before its
 * publish is still a create, and removed before it, still nothing to remove there. Once a
 * change of the name is published, a newer one left pending is not fresh: the grid has this
 * mount's entry there now.
 */
final class PendingState {
  /** A pending entry change and its sequence number. */
  record Change(long seq, JournalRecord record) {
    String name() {
      return record instanceof SetEntry s ? s.name() : ((RemoveEntry) record).name();
    }
  }

  /** A local file's base and sealed generations, as the journal knows them. */
  static final class FileState {
    Optional<String> base = Optional.empty();
    long baseSize;
    long uploadedGen;
    final TreeMap<Long, FileCommit> layers = new TreeMap<>();
  }

  private final Map<DirRef, LinkedHashMap<String, Change>> dirs = new HashMap<>();
  private final Map<Long, String> createdDirs = new HashMap<>();
  private final Map<Long, FileState> files = new HashMap<>();
  private long maxId;

  void apply(long seq, JournalRecord r) {
    if (r instanceof SetEntry s) {
      noteChild(s.child());
      change(canonical(s.dir()), s.name(), new Change(seq, s));
    } else if (r instanceof RemoveEntry s) {
      change(canonical(s.dir()), s.name(), new Change(seq, s));
    } else if (r instanceof DirCreated s) {
      maxId = Math.max(maxId, s.id());
      createdDirs.put(s.id(), s.cap());
      LinkedHashMap<String, Change> old = dirs.remove(new DirRef.Local(s.id()));
      if (old != null) {
        for (Change c : old.values()) {
          change(new DirRef.Cap(s.cap()), c.name(), c);
        }
      }
    } else if (r instanceof FileCommit s) {
      maxId = Math.max(maxId, s.id());
      FileState f = files.computeIfAbsent(s.id(), k -> new FileState());
      if (f.layers.isEmpty() && f.uploadedGen == 0) {
        f.base = s.base();
        f.baseSize = s.baseSize();
      }
      if (s.gen() > f.uploadedGen) {
        f.layers.put(s.gen(), new FileCommit(s.id(), s.gen(), s.base(), s.baseSize(), s.size(),
            s.limit(), s.pages(), Optional.empty()));
      }
    } else if (r instanceof FileUploaded s) {
      FileState f = files.computeIfAbsent(s.id(), k -> new FileState());
      f.base = Optional.of(s.cap());
      f.baseSize = s.size();
      f.uploadedGen = Math.max(f.uploadedGen, s.gen());
      f.layers.headMap(s.gen(), true).clear();
    } else if (r instanceof EntriesPublished s) {
      LinkedHashMap<String, Change> m = dirs.get(canonical(s.dir()));
      if (m != null) {
        for (NameSeq n : s.names()) {
          Change c = m.get(n.name());
          if (c != null && c.seq() <= n.seq()) {
            m.remove(n.name());
          } else if (c != null) {
            m.put(n.name(), new Change(c.seq(), withFresh(c.record(), false)));
          }
        }
        if (m.isEmpty()) {
          dirs.remove(canonical(s.dir()));
        }
      }
    }
  }

  /** The change with its directory named by the key it is kept under (its cap once created). */
  private static JournalRecord rekeyed(JournalRecord r, DirRef key) {
    if (r instanceof SetEntry s) {
      return new SetEntry(key, s.name(), s.child(), s.meta(), s.fresh());
    }
    RemoveEntry rm = (RemoveEntry) r;
    return new RemoveEntry(key, rm.name(), rm.moved(), rm.fresh());
  }

  static boolean fresh(JournalRecord r) {
    return r instanceof SetEntry s ? s.fresh() : ((RemoveEntry) r).fresh();
  }

  private static JournalRecord withFresh(JournalRecord r, boolean fresh) {
    return r instanceof SetEntry s ? s.withFresh(fresh) : ((RemoveEntry) r).withFresh(fresh);
  }

  private void noteChild(ChildRef c) {
    if (c instanceof ChildRef.LocalFile f) {
      maxId = Math.max(maxId, f.id());
    } else if (c instanceof ChildRef.LocalDir d) {
      maxId = Math.max(maxId, d.id());
    }
  }

  private void change(DirRef dir, String name, Change c) {
    LinkedHashMap<String, Change> m = dirs.computeIfAbsent(dir, k -> new LinkedHashMap<>());
    Change old = m.get(name);
    if (old == null || old.seq() <= c.seq()) {
      m.remove(name); // keep insertion order = sequence order
      m.put(name, old == null ? c
          : new Change(c.seq(), withFresh(c.record(), fresh(old.record()))));
    }
  }

  /** The key a directory's changes are kept under: its cap once it has one. */
  DirRef canonical(DirRef d) {
    if (d instanceof DirRef.Local l) {
      String cap = createdDirs.get(l.id());
      if (cap != null) {
        return new DirRef.Cap(cap);
      }
    }
    return d;
  }

  Optional<String> createdCap(long localDirId) {
    return Optional.ofNullable(createdDirs.get(localDirId));
  }

  /**
   * {@code r} with every directory the grid already holds named by its cap rather than by the
   * local id the tree may still use for it: a rewrite of the journal keeps a DirCreated only
   * while a pending entry names that directory, so a record appended after one must not need
   * it. Otherwise a replay finds changes for a local directory that was never created (dropped
   * as an orphan's) or an entry naming one (created anew, empty, in place of the real one). The
   * pending state is the same either way.
   */
  JournalRecord byCap(JournalRecord r) {
    if (r instanceof SetEntry s) {
      ChildRef child = s.child();
      if (child instanceof ChildRef.LocalDir d) {
        Optional<String> cap = createdCap(d.id());
        if (cap.isPresent()) {
          child = new ChildRef.Cap(cap.get());
        }
      }
      return new SetEntry(canonical(s.dir()), s.name(), child, s.meta(), s.fresh());
    } else if (r instanceof JournalRecord.RemoveEntry rm) {
      return new JournalRecord.RemoveEntry(canonical(rm.dir()), rm.name(), rm.moved(),
          rm.fresh());
    } else if (r instanceof JournalRecord.EntriesPublished p) {
      return new JournalRecord.EntriesPublished(canonical(p.dir()), p.names());
    }
    return r;
  }

  /** The pending changes of a directory, oldest first (a copy). */
  List<Change> changesOf(DirRef dir) {
    LinkedHashMap<String, Change> m = dirs.get(canonical(dir));
    return m == null ? List.of() : new ArrayList<>(m.values());
  }

  boolean hasChanges(DirRef dir) {
    LinkedHashMap<String, Change> m = dirs.get(canonical(dir));
    return m != null && !m.isEmpty();
  }

  Map<DirRef, List<Change>> allChanges() {
    Map<DirRef, List<Change>> out = new HashMap<>();
    for (Map.Entry<DirRef, LinkedHashMap<String, Change>> e : dirs.entrySet()) {
      out.put(e.getKey(), new ArrayList<>(e.getValue().values()));
    }
    return out;
  }

  Map<Long, FileState> files() {
    return files;
  }

  boolean isEmpty() {
    return dirs.isEmpty();
  }

  int changeCount() {
    return dirs.values().stream().mapToInt(Map::size).sum();
  }

  long maxId() {
    return maxId;
  }

  /** Local file ids some pending change points to. */
  Set<Long> referencedFiles() {
    Set<Long> ids = new HashSet<>();
    for (LinkedHashMap<String, Change> m : dirs.values()) {
      for (Change c : m.values()) {
        if (c.record() instanceof SetEntry s && s.child() instanceof ChildRef.LocalFile f) {
          ids.add(f.id());
        }
      }
    }
    return ids;
  }

  /**
   * The shortest journal that rebuilds this state: created-dir caps, sealed generations of
   * referenced files, then the pending changes with their own sequence numbers. File ids and
   * generations not listed are garbage.
   */
  List<JournalCodec.Entry> snapshot() {
    List<JournalCodec.Entry> out = new ArrayList<>();
    Set<Long> refFiles = referencedFiles();
    Set<Long> refDirs = new HashSet<>();
    List<Change> changes = new ArrayList<>();
    for (Map.Entry<DirRef, LinkedHashMap<String, Change>> e : dirs.entrySet()) {
      for (Change c : e.getValue().values()) {
        changes.add(new Change(c.seq(), rekeyed(c.record(), e.getKey())));
        if (c.record() instanceof SetEntry s && s.child() instanceof ChildRef.LocalDir d) {
          refDirs.add(d.id());
        }
      }
    }
    for (Long id : refDirs) {
      String cap = createdDirs.get(id);
      if (cap != null) {
        out.add(new JournalCodec.Entry(0, new DirCreated(id, cap)));
      }
    }
    for (Long id : refFiles) {
      FileState f = files.get(id);
      if (f == null) {
        continue;
      }
      if (f.uploadedGen > 0 && f.base.isPresent()) {
        out.add(new JournalCodec.Entry(0, new FileUploaded(id, f.uploadedGen, f.base.get(),
            f.baseSize)));
      }
      for (FileCommit c : f.layers.values()) {
        out.add(new JournalCodec.Entry(0, new FileCommit(id, c.gen(), f.base, f.baseSize,
            c.size(), c.limit(), c.pages(), Optional.empty())));
      }
    }
    changes.sort(Comparator.comparingLong(Change::seq));
    for (Change c : changes) {
      out.add(new JournalCodec.Entry(c.seq(), c.record()));
    }
    // the non-change records sort first with sequence 0: fine, they are state, not changes
    return out;
  }

  /** Garbage-collects file and dir state nothing refers to any more. */
  void prune(Set<Long> liveFiles) {
    Set<Long> ref = referencedFiles();
    files.keySet().removeIf(id -> !ref.contains(id) && !liveFiles.contains(id));
  }

  Map<Long, String> createdDirs() {
    return createdDirs;
  }
}
