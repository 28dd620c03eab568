package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.crypto.CryptoProviders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NativeCryptoTest {
  @BeforeEach
  @AfterEach
  void unregister() {
    Security.removeProvider(CryptoProviders.NATIVE);
    System.clearProperty(CryptoProviders.NATIVE_PROPERTY);
  }

  @Test
  void installRegistersConscryptLastOnceAndCapsAesUsesIt() {
    byte[] key = new byte[32];
    byte[] jdk = new byte[100];
    AesCtr.apply(key, 5, jdk, 0, jdk.length);

    assertThat(NativeCrypto.install()).isTrue();
    assertThat(NativeCrypto.install()).isTrue();

    Provider[] all = Security.getProviders();
    assertThat(Arrays.stream(all).filter(p -> p.getName().equals(CryptoProviders.NATIVE)))
        .hasSize(1);
    assertThat(all[all.length - 1].getName()).as("registered last").isEqualTo("Conscrypt");
    assertThat(AesCtr.at(key, 0).getProvider().getName()).isEqualTo("Conscrypt");
    byte[] nat = new byte[100];
    AesCtr.apply(key, 5, nat, 0, nat.length);
    assertThat(nat).isEqualTo(jdk);
  }

  @Test
  void theSwitchKeepsItUnloaded() {
    System.setProperty(CryptoProviders.NATIVE_PROPERTY, "false");

    assertThat(NativeCrypto.install()).isFalse();

    assertThat(Security.getProvider(CryptoProviders.NATIVE)).isNull();
    assertThat(AesCtr.at(new byte[32], 0).getProvider().getName()).isEqualTo("SunJCE");
  }
}
