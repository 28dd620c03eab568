package org.cairnfs.fs.grid;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.protocol.identity.NodeId;

/**
 * The order in which servers are asked to hold (or to find) the shares of one storage index:
 * ascending {@code H(PERMUTED_RING, SI || node id)} (unsigned), ties by node id.
 *
 * <p>Why a permutation per storage index: every client computes the same order without
 * coordination, so a downloader asks first the servers an uploader chose, while different
 * files spread over different servers and load evens out. Adding or removing one server moves
 * only the shares near its position, not every file's placement. Cost: one SHA-256 per server
 * and a sort, O(s log s) for s servers.
 */
public final class PermutedRing {
  private PermutedRing() {}

  /** {@code servers} (duplicates removed) in ring order for {@code index}. */
  public static List<NodeId> order(StorageIndex index, Collection<NodeId> servers) {
    byte[] si = index.toBytes();
    record Position(NodeId id, byte[] key) {}
    List<Position> positions = new ArrayList<>(servers.size());
    servers.stream().distinct().forEach(id ->
        positions.add(new Position(id, TaggedHash.of(Tag.PERMUTED_RING, si, id.toBytes()))));
    positions.sort(Comparator.<Position, byte[]>comparing(Position::key, Arrays::compareUnsigned)
        .thenComparing(Position::id));
    List<NodeId> out = new ArrayList<>(positions.size());
    positions.forEach(p -> out.add(p.id()));
    return out;
  }
}
