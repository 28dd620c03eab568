package org.cairnfs.caps.manifest;

import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;

/**
 * The outcome of a {@link ManifestEdit}.
 *
 * @param file the new file's cap: {@code cairn:lit:} for an empty file, the chunk's own cap for
 *     a file of one stored or literal chunk, else {@code cairn:cf-ro:}
 * @param writtenNodes node files this edit stored, children before parents
 * @param releasedNodes node files the old version referenced where this edit rewrote or dropped
 *     the tree; a dropped subtree is listed by its top node only. A node may still be
 *     referenced elsewhere (identical content deduplicates within and across files), so this
 *     says what this version stopped using, not what is garbage: leases come from walking live
 *     versions.
 * @param releasedChunks chunk caps the old version held at positions this edit replaced or
 *     dropped (in loaded nodes), with the same caveat
 */
public record EditResult(Cap file, List<ImmutableReadCap> writtenNodes,
    List<ImmutableReadCap> releasedNodes, List<Cap> releasedChunks) {
  public EditResult {
    writtenNodes = List.copyOf(writtenNodes);
    releasedNodes = List.copyOf(releasedNodes);
    releasedChunks = List.copyOf(releasedChunks);
  }
}
