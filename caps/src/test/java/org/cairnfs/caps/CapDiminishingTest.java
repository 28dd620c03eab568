package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Write to read to verify, and that each step really drops authority. */
class CapDiminishingTest {
  static Stream<Cap> everyKind() {
    return CapSamples.oneOfEachKind().stream();
  }

  @Nested
  class Chains {
    @Test
    void mutableWriteToReadToVerify() {
      MutableWriteCap write = CapSamples.mutableWrite();

      MutableReadCap read = write.readOnly();
      Cap verify = read.verifyCap().orElseThrow();

      assertThat(read.readKey()).isEqualTo(TaggedHash.of(Tag.MUTABLE_READ_KEY, write.writeKey()));
      assertThat(read.fingerprint()).isEqualTo(write.fingerprint());
      assertThat(verify).isEqualTo(new MutableVerifyCap(write.fingerprint()));
      assertThat(write.verifyCap()).contains(verify);
      assertThat(verify.toString()).startsWith("cairn:mut-v:");
    }

    @Test
    void directoryWriteToReadToVerify() {
      DirectoryWriteCap write = new DirectoryWriteCap(CapSamples.mutableWrite());

      DirectoryReadCap read = write.readOnly();
      Cap verify = read.verifyCap().orElseThrow();

      assertThat(read.file()).isEqualTo(write.file().readOnly());
      assertThat(verify).isEqualTo(new DirectoryVerifyCap(new MutableVerifyCap(
          write.file().fingerprint())));
      assertThat(write.verifyCap()).contains(verify);
      assertThat(read.toString()).startsWith("cairn:dir-ro:");
      assertThat(verify.toString()).startsWith("cairn:dir-v:");
    }

    @Test
    void immutableReadToVerify() {
      ImmutableReadCap read = CapSamples.immutableRead();

      Cap verify = read.verifyCap().orElseThrow();

      assertThat(verify).isEqualTo(new ImmutableVerifyCap(
          read.index(), read.extensionHash(), read.k(), read.n(), read.size()));
      assertThat(new ImmutableDirectoryReadCap(read).verifyCap())
          .contains(new ImmutableDirectoryVerifyCap(read.verifier()));
    }

    @Test
    void literalsHaveNoVerifyCap() {
      LiteralCap lit = new LiteralCap(CapSamples.bytes(5, 0));

      assertThat(lit.verifyCap()).isEmpty();
      assertThat(new LiteralDirectoryCap(lit).verifyCap()).isEmpty();
      assertThat(lit.readOnly()).isSameAs(lit);
    }

    @ParameterizedTest
    @MethodSource("org.cairnfs.caps.CapDiminishingTest#everyKind")
    void verifyCapIsItsOwnVerifyCapAndCannotRead(Cap cap) {
      cap.verifyCap().ifPresent(verify -> {
        assertThat(verify.verifyCap()).contains(verify);
        assertThat(verify.readOnly()).isEqualTo(verify);
        assertThat(verify.isReadable()).isFalse();
        assertThat(verify.isDirectory()).isEqualTo(cap.isDirectory());
      });
    }
  }

  @Nested
  class Authority {
    @ParameterizedTest
    @MethodSource("org.cairnfs.caps.CapDiminishingTest#everyKind")
    void readOnlyIsNeverWritable(Cap cap) {
      assertThat(cap.readOnly().isWritable()).isFalse();
      assertThat(Cap.parse(cap.readOnly().toString()).isWritable()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("org.cairnfs.caps.CapDiminishingTest#everyKind")
    void readOnlyKeepsKindAndReadability(Cap cap) {
      assertThat(cap.readOnly().isDirectory()).isEqualTo(cap.isDirectory());
      assertThat(cap.readOnly().isReadable()).isEqualTo(cap.isReadable());
    }

    @Test
    void onlyWriteKindsAreWritable() {
      assertThat(CapSamples.oneOfEachKind()).filteredOn(Cap::isWritable)
          .hasOnlyElementsOfTypes(MutableWriteCap.class, DirectoryWriteCap.class)
          .hasSize(2);
    }

    @Test
    void readCapStringDoesNotContainTheWriteKey() {
      MutableWriteCap write = CapSamples.mutableWrite();
      String writeKey = Base32.encode(write.writeKey());

      assertThat(write.toString()).contains(writeKey);
      assertThat(write.readOnly().toString()).doesNotContain(writeKey);
      assertThat(new DirectoryWriteCap(write).readOnly().toString()).doesNotContain(writeKey);
      assertThat(write.verifyCap().orElseThrow().toString()).doesNotContain(writeKey);
    }

    @Test
    void verifyCapStringDoesNotContainTheReadKey() {
      ImmutableReadCap chk = CapSamples.immutableRead();
      MutableReadCap mut = CapSamples.mutableWrite().readOnly();

      assertThat(chk.verifier().toString()).doesNotContain(Base32.encode(chk.key()));
      assertThat(mut.verifyCap().orElseThrow().toString())
          .doesNotContain(Base32.encode(mut.readKey()));
    }

    @Test
    void readKeyDiffersFromTheWriteKeyItCameFrom() {
      MutableWriteCap write = CapSamples.mutableWrite();

      assertThat(write.readOnly().readKey()).isNotEqualTo(write.writeKey());
    }
  }

  @Nested
  class StorageIndexes {
    @ParameterizedTest
    @MethodSource("org.cairnfs.caps.CapDiminishingTest#everyKind")
    void everyDiminishedFormNamesTheSameStorageIndex(Cap cap) {
      assertThat(cap.readOnly().storageIndex()).isEqualTo(cap.storageIndex());
      cap.verifyCap().ifPresent(v -> assertThat(v.storageIndex()).isEqualTo(cap.storageIndex()));
    }

    @Test
    void immutableIndexIsTheTruncatedTaggedHashOfTheKey() {
      ImmutableReadCap chk = CapSamples.immutableRead();

      assertThat(chk.index().toBytes()).isEqualTo(java.util.Arrays.copyOf(
          TaggedHash.of(Tag.IMMUTABLE_STORAGE_INDEX, chk.key()), 16));
      assertThat(chk.verifier().storageIndex()).contains(chk.index());
    }

    @Test
    void mutableIndexIsTheTruncatedTaggedHashOfTheFingerprint() {
      MutableWriteCap write = CapSamples.mutableWrite();

      assertThat(write.storageIndex().orElseThrow().toBytes()).isEqualTo(java.util.Arrays.copyOf(
          TaggedHash.of(Tag.MUTABLE_STORAGE_INDEX, write.fingerprint()), 16));
    }

    @Test
    void literalsHaveNoStorageIndex() {
      LiteralCap lit = new LiteralCap(new byte[0]);

      assertThat(lit.storageIndex()).isEmpty();
      assertThat(new LiteralDirectoryCap(lit).storageIndex()).isEmpty();
    }
  }
}
