package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * One write or shrinking truncate of a file's open layer, page by page. The layer holds whole
 * pages, so a page it gets only part of is first copied from the content below it (the sealed
 * layers and the base, as the layer's limit cuts them); pages written whole are taken without
 * reading anything, which keeps aligned writes off the grid. Every page taken or dropped is
 * counted in the spool budget. The caller holds the file's write lock.
 *
 * @param layer the file's open layer
 * @param fileSize the file's size before this edit
 * @param budget the spool's budget
 * @param below the content under the open layer (built only when a page is copied)
 */
record OpenLayerEdit(Layer layer, long fileSize, SpoolBudget budget,
    Supplier<LayerStack> below) {

  /** Writes all of src at offset into the layer. */
  void write(long offset, ByteBuffer src) throws IOException, GridException {
    long end = offset + src.remaining();
    long first = offset / Layer.PAGE;
    long last = (end - 1) / Layer.PAGE;
    if (last >= Integer.MAX_VALUE) {
      throw new IllegalArgumentException("file offset past the spool's page range");
    }
    // whole pages: held at once; the partial first and last ones copy what is below first
    long wholeFrom = offset % Layer.PAGE == 0 ? first : first + 1;
    long wholeTo = end % Layer.PAGE == 0 ? last + 1 : last; // exclusive
    if (first < wholeFrom && !layer.holds(first)) {
      materialize(first);
    }
    if (last >= wholeTo && last >= wholeFrom && !layer.holds(last)) {
      materialize(last);
    }
    // the bytes first: a write that fails (an interrupt closes the channel before any byte)
    // must not leave whole pages held that the spool file never got (they read as zeros)
    layer.writeAt(src, offset);
    if (wholeTo > wholeFrom) {
      int from = (int) wholeFrom;
      int to = (int) wholeTo;
      int already = layer.pages.get(from, to).cardinality();
      layer.pages.set(from, to);
      budget.add((long) (to - from - already) * Layer.PAGE);
    }
  }

  /**
   * Cuts the content at {@code newSize}, below the file's size: drops the pages past it, zeros
   * the rest of its last page and hides the layers below from there.
   */
  void shrink(long newSize) throws IOException, GridException {
    long firstGone = (newSize + Layer.PAGE - 1) / Layer.PAGE;
    int from = (int) Math.min(Integer.MAX_VALUE, firstGone);
    int released = layer.pages.get(from, Math.max(from, layer.pages.length())).cardinality();
    layer.pages.clear(from, Math.max(from, layer.pages.length()));
    budget.release((long) released * Layer.PAGE);
    if (newSize % Layer.PAGE != 0) {
      long page = newSize / Layer.PAGE;
      if (!layer.holds(page)) {
        materialize(page);
      }
      long pageEnd = (page + 1) * Layer.PAGE;
      layer.writeAt(ByteBuffer.allocate((int) (pageEnd - newSize)), newSize);
    }
    layer.limit = Math.min(layer.limit, newSize);
  }

  /** Copies a page's current content (as the layers below and the base show it) into layer. */
  private void materialize(long page) throws IOException, GridException {
    long ps = page * Layer.PAGE;
    ByteBuffer buf = ByteBuffer.allocate(Layer.PAGE);
    long inFile = Math.max(0, Math.min(Layer.PAGE, fileSize - ps));
    if (inFile > 0) {
      ByteBuffer part = buf.slice();
      part.limit((int) inFile);
      // the open layer's limit applies to everything below it
      below.get().read(ps, part);
      LayerStack.zeroFrom(buf, ps, ps + inFile, layer.limit);
    }
    buf.clear();
    layer.writeAt(buf, ps);
    hold(page);
  }

  /** The page is below Integer.MAX_VALUE: write checks its last page, a truncate shrinks. */
  private void hold(long page) {
    layer.pages.set((int) page);
    budget.add(Layer.PAGE);
  }
}
