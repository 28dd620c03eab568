package org.cairnfs.protocol.identity;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;

/**
 * Which TLS implementation carries connections: BoringSSL through netty-tcnative, or the JDK's
 * SunJSSE. Both speak the same TLS 1.3; the switch exists so the two can be benchmarked and so a
 * platform without the native library still works.
 */
public enum TlsEngine {
  OPENSSL(SslProvider.OPENSSL),
  JDK(SslProvider.JDK);

  /** System property that overrides the default: {@code openssl} or {@code jdk}. */
  public static final String PROPERTY = "cairn.tls.engine";

  private final SslProvider provider;

  TlsEngine(SslProvider provider) {
    this.provider = provider;
  }

  SslProvider provider() {
    return provider;
  }

  /** True when this engine can run here (OPENSSL needs the native library). */
  public boolean isAvailable() {
    return this == JDK || OpenSsl.isAvailable();
  }

  /** The {@value #PROPERTY} system property if set, else OPENSSL when available, else JDK. */
  public static TlsEngine defaultEngine() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return parse(configured);
    }
    return OpenSsl.isAvailable() ? OPENSSL : JDK;
  }

  /** Parses {@code openssl} or {@code jdk} (any case); the message names the bad value. */
  public static TlsEngine parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TLS engine must be 'openssl' or 'jdk', got '" + text + "'", e);
    }
  }
}
