package org.cairnfs.fs.gateway;

/**
 * Where the status page gets what the node knows about itself and its grid. The gateway defines
 * it and the node (the CLI) fills it, so the gateway depends on no node internals; it is called
 * once per status request, from a gateway thread, and must not block for long.
 */
@FunctionalInterface
public interface NodeStatusSource {

  /** A node that knows nothing yet: every list empty, storage unknown. */
  NodeStatusSource NONE = NodeStatus::empty;

  /** What the node knows now. */
  NodeStatus status();
}
