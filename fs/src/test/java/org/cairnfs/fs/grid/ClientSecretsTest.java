package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import org.cairnfs.caps.StorageIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientSecretsTest {
  @TempDir Path dir;

  @Test
  void createdOnceOwnerOnlyAndReloadedTheSame() throws IOException {
    ClientSecrets first = ClientSecrets.loadOrCreate(dir);
    for (String name : new String[] {ClientSecrets.LEASE_FILE, ClientSecrets.CONVERGENCE_FILE}) {
      Path file = dir.resolve(name);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
    try (var files = Files.list(dir)) {
      assertThat(files).hasSize(2); // no temp files left
    }
    ClientSecrets again = ClientSecrets.loadOrCreate(dir);
    StorageIndex si = StorageIndex.of(new byte[16]);
    assertThat(again.renewSecret(si, PermutedRingTest.id(1)))
        .isEqualTo(first.renewSecret(si, PermutedRingTest.id(1)));
    assertThat(again.convergenceSecret()).isEqualTo(first.convergenceSecret());
    assertThat(first.convergenceSecret()).isNotEqualTo(ClientSecrets.loadOrCreate(
        dir.resolve("other")).convergenceSecret());
  }

  @Test
  void fileFormatIsPinned() throws IOException {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    String text = ClientSecrets.format(ClientSecrets.LEASE_HEADER, secret);
    assertThat(text).isEqualTo("cairn-lease-secret v1\n"
        + "a4dqobyha4dqobyha4dqobyha4dqobyha4dqobyha4dqobyha4dq\n");
    assertThat(ClientSecrets.parse(ClientSecrets.LEASE_HEADER, text, dir)).isEqualTo(secret);
    assertThat(ClientSecrets.format(ClientSecrets.CONVERGENCE_HEADER, secret))
        .startsWith("cairn-convergence-secret v1\n");
  }

  @Test
  void leaseSecretsDeriveByTheSpecAndDifferPerServerAndFile() {
    byte[] lease = new byte[32];
    Arrays.fill(lease, (byte) 7);
    ClientSecrets s = ClientSecrets.of(lease, new byte[32]);
    byte[] si = new byte[16];
    for (int i = 0; i < 16; i++) {
      si[i] = (byte) i;
    }
    StorageIndex index = StorageIndex.of(si);
    // python3: sha256(b"27:cairn-v1-lease-renew-secret," + secret + si + node).hexdigest()
    assertThat(HexFormat.of().formatHex(s.renewSecret(index, PermutedRingTest.id(1))))
        .isEqualTo("13e78bce1bb0f87820e94005c320809620954c0d2f6ab7f689c059badc3fca1d");
    assertThat(HexFormat.of().formatHex(s.cancelSecret(index, PermutedRingTest.id(1))))
        .isEqualTo("0b1867b5fd4859e94974b4bd3a77600a888bf283791148e4988e2f789eef85d7");
    assertThat(s.renewSecret(index, PermutedRingTest.id(2)))
        .isNotEqualTo(s.renewSecret(index, PermutedRingTest.id(1)));
    assertThat(s.renewSecret(PermutedRingTest.si(9), PermutedRingTest.id(1)))
        .isNotEqualTo(s.renewSecret(index, PermutedRingTest.id(1)));
  }

  @Test
  void malformedFilesAreRefusedNamingTheFile() throws IOException {
    Path lease = dir.resolve(ClientSecrets.LEASE_FILE);
    Files.writeString(lease, "cairn-lease-secret v1\nnot base32!\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ClientSecrets.loadOrCreate(dir)).isInstanceOf(IOException.class)
        .hasMessageContaining(lease.toString()).hasMessageContaining("base32");
    Files.writeString(lease, "cairn-lease-secret v1\naaaa\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ClientSecrets.loadOrCreate(dir))
        .hasMessageContaining("must be 32 bytes");
    Files.writeString(lease, "something else\n", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> ClientSecrets.loadOrCreate(dir))
        .hasMessageContaining("not a Cairn secret file");
    assertThat(ClientSecrets.of(new byte[32], new byte[32]).toString()).doesNotContain("AAAA");
  }

  @Test
  void aGoodSecretWithAnyOtherFramingIsRefused() throws IOException {
    Path lease = dir.resolve(ClientSecrets.LEASE_FILE);
    String good = ClientSecrets.format("cairn-lease-secret v1", new byte[32]);
    Files.writeString(lease, good, StandardCharsets.US_ASCII);
    ClientSecrets.loadOrCreate(dir); // the framing itself is right
    for (String bad : new String[] {good.strip(), good + "more\n", good + "\n", good + "x",
        good.replace("cairn-lease-secret v1", "cairn-lease-secret v2")}) {
      Files.writeString(lease, bad, StandardCharsets.US_ASCII);
      assertThatThrownBy(() -> ClientSecrets.loadOrCreate(dir))
          .as("%s", bad).hasMessageContaining("not a Cairn secret file");
    }
  }

  @Test
  void inMemorySecretsMustBeThirtyTwoBytesEachAndRandomOnesDiffer() {
    assertThatThrownBy(() -> ClientSecrets.of(new byte[31], new byte[32]))
        .hasMessageContaining("got 31 and 32");
    assertThatThrownBy(() -> ClientSecrets.of(new byte[32], new byte[33]))
        .hasMessageContaining("got 32 and 33");
    java.security.SecureRandom random = new java.security.SecureRandom();
    ClientSecrets a = ClientSecrets.random(random);
    ClientSecrets b = ClientSecrets.random(random);
    assertThat(a.convergenceSecret()).hasSize(32).isNotEqualTo(new byte[32])
        .isNotEqualTo(b.convergenceSecret());
    StorageIndex si = StorageIndex.of(new byte[16]);
    assertThat(a.renewSecret(si, PermutedRingTest.id(1)))
        .isNotEqualTo(b.renewSecret(si, PermutedRingTest.id(1)))
        .isNotEqualTo(ClientSecrets.of(new byte[32], a.convergenceSecret())
            .renewSecret(si, PermutedRingTest.id(1)));
    assertThat(a.toString()).contains("not shown");
  }
}
