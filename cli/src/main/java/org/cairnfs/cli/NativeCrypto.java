package org.cairnfs.cli;

import java.security.Security;
import org.cairnfs.caps.crypto.CryptoProviders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers Conscrypt (BoringSSL behind JCA) so that caps' {@link CryptoProviders} can serve
 * AES from it, for commands that encrypt or decrypt bulk data in a cold JVM (put, get, cp).
 *
 * <p>Why only those: the JDK's AES runs interpreted for the first seconds of a JVM, BoringSSL
 * is fast from its first call; but loading it costs 100-150 ms (it unpacks a 4 MB library), so
 * commands that move little data (ls, mkdir, status) do better without, and long-running
 * nodes, once warm, run the JDK's intrinsic as fast or faster (docs/benchmarks/crypto.md).
 * Registered last, so TLS and every other lookup keep the JDK's providers. Where the library
 * does not load (another OS or CPU, a noexec temp dir) nothing is registered and caps uses the
 * JDK. {@code -Dcairn.crypto.native=false} skips loading it.
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
