package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class ChildWriteCapKeyTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CAP = "cairn:future-write:abcdefgh";
  private final ChildWriteCapKey key = ChildWriteCapKey.of(Fixtures.directory(1));
  private final EntryName name = EntryName.of("notes.txt");

  @Test
  void sealsAndOpens() {
    SealedWriteCap sealed = key.seal(name, CAP, RANDOM);
    assertThat(new String(sealed.box(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("cairn:");
    assertThat(key.open(name, sealed)).isEqualTo(CAP);
  }

  @Test
  void freshNonceEachTime() {
    assertThat(key.seal(name, CAP, RANDOM)).isNotEqualTo(key.seal(name, CAP, RANDOM));
  }

  @Test
  void detectsTamperingAnywhereInTheBox() {
    SealedWriteCap sealed = key.seal(name, CAP, RANDOM);
    byte[] box = sealed.box();
    for (int i = 0; i < box.length; i++) {
      byte[] bad = box.clone();
      bad[i] ^= 0x01;
      assertThatThrownBy(() -> key.open(name, new SealedWriteCap(bad)))
          .as("flip at %d", i).isInstanceOf(DirectoryIntegrityException.class);
    }
  }

  @Test
  void detectsACapMovedToAnotherName() {
    SealedWriteCap sealed = key.seal(name, CAP, RANDOM);
    assertThatThrownBy(() -> key.open(EntryName.of("other.txt"), sealed))
        .isInstanceOf(DirectoryIntegrityException.class).hasMessageContaining("other.txt");
  }

  @Test
  void anotherDirectorysKeyCannotOpen() {
    SealedWriteCap sealed = key.seal(name, CAP, RANDOM);
    ChildWriteCapKey other = ChildWriteCapKey.of(Fixtures.directory(2));
    assertThatThrownBy(() -> other.open(name, sealed))
        .isInstanceOf(DirectoryIntegrityException.class);
  }

  @Test
  void onlyADirectoryWriteCapYieldsTheKey() throws NoSuchMethodException {
    // The sole factory takes a DirectoryWriteCap: a read-cap holder has no way to call it.
    assertThat(ChildWriteCapKey.class.getMethod("of", org.cairnfs.caps.DirectoryWriteCap.class))
        .isNotNull();
    assertThat(ChildWriteCapKey.class.getMethods()).noneMatch(m -> m.getName().equals("of")
        && m.getParameterTypes()[0] != org.cairnfs.caps.DirectoryWriteCap.class);
    // Deriving from the read key (what a read-cap holder has) does not give a working key.
    org.cairnfs.caps.DirectoryWriteCap dir = Fixtures.directory(1);
    byte[] readKey = dir.readOnly().file().readKey();
    org.cairnfs.caps.DirectoryWriteCap fake = new org.cairnfs.caps.DirectoryWriteCap(
        new org.cairnfs.caps.MutableWriteCap(readKey, dir.file().fingerprint()));
    SealedWriteCap sealed = key.seal(name, CAP, RANDOM);
    assertThatThrownBy(() -> ChildWriteCapKey.of(fake).open(name, sealed))
        .isInstanceOf(DirectoryIntegrityException.class);
  }

  @Test
  void refusesToSealSomethingThatIsNotACap() {
    assertThatThrownBy(() -> key.seal(name, "http://x", RANDOM))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("notes.txt");
  }
}
