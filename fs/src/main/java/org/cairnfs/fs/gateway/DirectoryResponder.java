package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * Serves a directory as a page or as JSON, one bounded page of entries at a time. Why: a paged
 * directory may hold a million entries; listed and rendered whole, a few requests for it would
 * take the node's heap. So a response holds at most {@link GatewayConfig#listingPage()} entries
 * (the next page is {@code ?after=NAME}), at most {@link MemorySlots#LISTINGS} listings are in
 * memory at once, and each is sent in pieces at the slots' pace.
 */
final class DirectoryResponder {
  private final GridFileSystem files;
  private final MemorySlots listings;
  private final int page;

  DirectoryResponder(GridFileSystem files, MemorySlots listings, int page) {
    this.files = files;
    this.listings = listings;
    this.page = page;
  }

  void serve(Exchange ex, UriPath path, PathWalker.Node node, boolean json) throws Exception {
    String raw = ex.param("after");
    String after;
    try {
      after = raw == null ? null : EntryName.of(raw).text(); // as the directory stores names
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("after= takes an entry name: " + e.getMessage());
    }
    listings.hold(ex, () -> {
      List<RemoteEntry> entries = GridFailures.await(files.listPage(node.cap(), after, page + 1),
          "reading the directory");
      Optional<String> next = Optional.empty();
      if (entries.size() > page) { // one more than a page: more follow this one
        entries = entries.subList(0, page);
        next = Optional.of(entries.get(page - 1).name());
      }
      DirectoryPages.Paging paging = new DirectoryPages.Paging(next, after != null);
      List<DirectoryPages.Child> children = DirectoryPages.children(entries);
      boolean writable = node.parsed().isWritable();
      if (json) {
        ex.respondInPieces(Responses.json(HttpResponseStatus.OK, DirectoryPages.json(
            node.parsed().readOnly().toString(),
            writable ? Optional.of(node.cap()) : Optional.empty(), children, paging)),
            FileResponder.CHUNK);
      } else {
        String title = path.names().isEmpty() ? "Directory"
            : "Directory /" + String.join("/", path.names());
        ex.respondInPieces(Responses.html(HttpResponseStatus.OK,
            DirectoryPages.html(title, writable, children, paging)), FileResponder.CHUNK);
      }
      return null;
    });
  }
}
