package org.cairnfs.protocol.server;

/**
 * What all connections of one server draw on together: the connection counts and the two
 * memory budgets (requests received, responses to send). Made once per {@link ProtocolServer}.
 */
record SharedLimits(ConnectionLimits connections, MemoryBudget requests, MemoryBudget responses) {
  static SharedLimits of(ServerConfig config) {
    return new SharedLimits(
        new ConnectionLimits(config.maxConnections, config.maxConnectionsPerAddress,
            config.maxConnectionsPerNode, config.maxAddressRequestBytes,
            config.maxAddressResponseBytes, config.loopbackExempt,
            new ConnectionRate(config.newConnectionBurst, config.newConnectionsPerSecond,
                System::nanoTime)),
        new MemoryBudget("request", config.maxBufferedRequestBytes),
        new MemoryBudget("response", config.maxBufferedResponseBytes));
  }
}
