package org.cairnfs.fs.grid;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.NodeId;

/**
 * What an immutable upload achieved.
 *
 * @param cap the read cap (an {@link org.cairnfs.caps.ImmutableReadCap}, or a
 *     {@link org.cairnfs.caps.LiteralCap} for tiny files, which touch no server)
 * @param index the storage index, empty for a literal
 * @param placement share number to the servers holding it now (checked shares only)
 * @param happiness servers-of-happiness of that placement ({@link Happiness})
 * @param sharesUploaded shares this upload sent and closed
 * @param sharesAlreadyHeld shares found on servers and checked against the cap, not sent again
 * @param bytesSent share bytes sent to servers (re-sent shares count again)
 */
public record UploadResult(Cap cap, Optional<StorageIndex> index,
    Map<Integer, List<NodeId>> placement, int happiness, int sharesUploaded,
    int sharesAlreadyHeld, long bytesSent) {
  public UploadResult {
    Map<Integer, List<NodeId>> copy = new TreeMap<>();
    placement.forEach((share, servers) -> copy.put(share, List.copyOf(servers)));
    placement = java.util.Collections.unmodifiableMap(copy);
  }
}
