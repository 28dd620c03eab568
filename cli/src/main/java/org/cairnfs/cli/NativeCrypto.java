package org.cairnfs.cli;

import java.security.Security;
import org.cairnfs.caps.crypto.CryptoProviders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers Conscrypt (BoringSSL behind JCA) so that caps' {@link CryptoProviders} serves AES
 * from it in every process that runs a grid client ({@link ClientNode#open}: the in-process
 * verbs, {@code run}, {@code demo}, {@code mount}).
 *
 * <p>Why: BoringSSL's AES-CTR runs at GiB/s from its first call. The JDK's runs interpreted for
 * the first seconds of a JVM (138-173 MiB/s), and even a long-running node cannot count on its
 * intrinsic: a demo node 40 minutes old, serving {@code cairn get}, still ran
 * {@code CounterMode.implCrypt} and {@code CounterMode.increment} as ordinary C2-compiled Java,
 * 41% of its CPU samples (JFR, 2026-12-02). Loading the library costs 100-150 ms once (it
 * unpacks a 4 MB library). Registered last, so TLS and every other lookup keep the JDK's
 * providers. Where the library does not load (another OS or CPU, a noexec temp dir) nothing is
 * registered and caps uses the JDK. {@code -Dcairn.crypto.native=false} skips loading it.
 */
final class NativeCrypto {
  private static final Logger log = LoggerFactory.getLogger(NativeCrypto.class);

  private NativeCrypto() {}

  /** Registers the native provider once; returns whether it is registered. Never throws. */
  static synchronized boolean install() {
    if (Security.getProvider(CryptoProviders.NATIVE) != null) {
      return true;
    }
    if ("false".equalsIgnoreCase(System.getProperty(CryptoProviders.NATIVE_PROPERTY))) {
      return false;
    }
    try {
      if (!org.conscrypt.Conscrypt.isAvailable()) {
        log.debug("Conscrypt's native library does not load here; AES stays on the JDK");
        return false;
      }
      Security.addProvider(org.conscrypt.Conscrypt.newProvider());
      log.debug("crypto providers: {}", CryptoProviders.describe());
      return true;
    } catch (LinkageError | RuntimeException e) {
      log.debug("Conscrypt could not be registered; AES stays on the JDK", e);
      return false;
    }
  }
}
