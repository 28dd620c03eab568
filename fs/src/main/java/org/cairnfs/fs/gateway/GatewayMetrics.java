package org.cairnfs.fs.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The gateway's meters in a Prometheus registry: requests by method and status, bytes, connections. */
final class GatewayMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter sent;
  private final Counter received;
  private final Counter refused;

  GatewayMetrics(NodeStatusSource status) {
    sent = Counter.builder("cairn.gateway.sent").baseUnit("bytes")
        .description("response body bytes sent").register(registry);
    received = Counter.builder("cairn.gateway.received").baseUnit("bytes")
        .description("request body bytes received").register(registry);
    refused = Counter.builder("cairn.gateway.connections.refused")
        .description("connections closed at accept by the connection limit").register(registry);
    Gauge.builder("cairn.grid.servers.connected", status,
        s -> safe(() -> s.status().connectedServers()))
        .description("storage servers connected now").register(registry);
    Gauge.builder("cairn.grid.servers.known", status,
        s -> safe(() -> s.status().servers().size()))
        .description("storage servers known").register(registry);
  }

  private static double safe(java.util.function.Supplier<Number> n) {
    try {
      return n.get().doubleValue();
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  void connectionGauge(AtomicInteger open) {
    Gauge.builder("cairn.gateway.connections", open, AtomicInteger::get)
        .description("open HTTP connections").register(registry);
  }

  /** Methods kept as tags; any other is counted as OTHER, so clients cannot mint meters. */
  private static final java.util.Set<String> METHODS =
      java.util.Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "-");

  void request(String method, int status, long bytesSent) {
    registry.counter("cairn.gateway.requests", "method",
        METHODS.contains(method) ? method : "OTHER", "status",
        Integer.toString(status)).increment();
    sent.increment(bytesSent);
  }

  void received(long bytes) {
    received.increment(bytes);
  }

  void refusedConnection() {
    refused.increment();
  }

  String scrape() {
    return registry.scrape();
  }

  MeterRegistry registry() {
    return registry;
  }

  void close() {
    registry.close();
  }
}
