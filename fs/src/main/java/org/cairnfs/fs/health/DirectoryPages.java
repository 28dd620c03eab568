package org.cairnfs.fs.health;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.dirnode.DirectoryRoot;
import org.cairnfs.caps.dirnode.InnerPage;
import org.cairnfs.caps.dirnode.PageCodec;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PagedRoot;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.mutable.MutableFiles;

/**
 * The pages of a paged directory, checked (or repaired) as the immutable files they are. Only a
 * read-cap holder reaches them: the root slot's plaintext names the top pages and each inner
 * page its children. A flat directory has no pages.
 *
 * <p>Cost: reading the root slot and every inner page (leaf pages are checked, not read), plus
 * per page what {@link ImmutableHealth} costs for one small file. Each page is checked (and
 * repaired) before it is read, so a repair heals a page the walk then needs. Pages inline in
 * their parent store nothing and are skipped.
 */
final class DirectoryPages {
  private final GridClient grid;
  private final ImmutableHealth immutable;
  private final MutableFiles mutable;

  DirectoryPages(GridClient grid, ImmutableHealth immutable) {
    this.grid = grid;
    this.immutable = immutable;
    this.mutable = MutableFiles.on(grid);
  }

  private record Pending(PageRef.Stored ref, int level) {}

  /**
   * The reports of a directory's pages.
   *
   * @param walked whether every page was reached (false when the root or an inner page could
   *     not be read: the pages below it are missing from {@code reports})
   */
  record Pages(List<HealthReport> reports, boolean walked) {}

  /**
   * Reports of every stored page under the directory whose root slot {@code root} reads;
   * problems reaching pages go to {@code notes}.
   */
  Pages check(MutableReadCap root, boolean verify, boolean repair, boolean lease,
      List<String> notes) {
    List<HealthReport> parts = new ArrayList<>();
    DirectoryRoot parsed;
    try {
      byte[] plaintext = Await.get(mutable.read(root),
          grid.config().readTimeout().multipliedBy(6), "reading the directory root").contents();
      parsed = DirectoryRoot.decode(plaintext);
    } catch (Exception e) {
      notes.add("the directory's pages (if any) were not checked: its root could not be read: "
          + e.getMessage());
      return new Pages(parts, false);
    }
    if (!(parsed instanceof PagedRoot paged)) {
      return new Pages(parts, true);
    }
    boolean walked = true;
    Deque<Pending> pending = new ArrayDeque<>();
    push(pending, paged.children(), paged.height() - 1);
    while (!pending.isEmpty()) {
      Pending p = pending.pop();
      HealthReport report = repair ? immutable.repair(p.ref().cap().verifier(), "directory page",
          lease) : immutable.check(p.ref().cap().verifier(), "directory page", verify, lease);
      parts.add(report);
      if (p.level() == 0) {
        continue;
      }
      try (ImmutableFile page = grid.open(p.ref().cap())) {
        byte[] bytes = Await.get(page.read(0, (int) p.ref().size()),
            grid.config().readTimeout().multipliedBy(4), "reading a directory page");
        InnerPage inner = PageCodec.decodeInner(bytes);
        push(pending, inner.children(), p.level() - 1);
      } catch (Exception e) {
        notes.add("the pages below " + report.cap() + " were not checked: it could not be read: "
            + e.getMessage());
        walked = false;
      }
    }
    return new Pages(parts, walked);
  }

  private static void push(Deque<Pending> pending, List<PageRef> children, int level) {
    for (int i = children.size() - 1; i >= 0; i--) {
      if (children.get(i) instanceof PageRef.Stored s) {
        pending.push(new Pending(s, level));
      }
    }
  }
}
