package org.cairnfs.fs.grid;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.protocol.identity.NodeId;

/**
 * One storage server as the client sees it now, for status pages and messages.
 *
 * @param nodeId the server's pinned identity
 * @param nickname from its announcement (empty for a static server that has not announced)
 * @param addresses where it is reached, tried in order
 * @param freeSpace bytes free: from the server itself when connected, else from its
 *     announcement; -1 when unknown
 * @param maxShareSize largest share it accepts, -1 when not yet asked
 * @param state the connection's state
 * @param since when it entered that state
 * @param lastError why the last attempt failed or the connection dropped, if it did
 * @param nextAttempt when a server in {@link ConnectionState#BACKING_OFF} is tried again
 */
public record ServerStatus(NodeId nodeId, String nickname, List<HostPort> addresses,
    long freeSpace, long maxShareSize, ConnectionState state, Instant since,
    Optional<String> lastError, Optional<Instant> nextAttempt) {
  public ServerStatus {
    addresses = List.copyOf(addresses);
  }
}
