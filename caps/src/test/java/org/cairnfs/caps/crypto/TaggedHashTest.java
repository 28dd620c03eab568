package org.cairnfs.caps.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TaggedHashTest {
  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Nested
  class OneShot {
    @Test
    void isSha256OfNetstringTagThenData() throws Exception {
      byte[] expected = MessageDigest.getInstance("SHA-256")
          .digest(ascii("14:cairn-v1-block,abc"));

      assertThat(TaggedHash.of(Tag.BLOCK, ascii("abc"))).isEqualTo(expected);
    }

    @Test
    void knownAnswerIsPinned() {
      // python3: hashlib.sha256(b"14:cairn-v1-block,abc").hexdigest()
      assertThat(TaggedHash.of(Tag.BLOCK, ascii("abc"))).asHexString().isEqualToIgnoringCase(
          "1e2154b2e31ad0177fea779dea2f6d3cdc185ea8988ff7a1faf16dfa878b1bff");
    }

    @Test
    void partsAreConcatenated() {
      assertThat(TaggedHash.of(Tag.SHARE, ascii("ab"), ascii("c")))
          .isEqualTo(TaggedHash.of(Tag.SHARE, ascii("abc")));
    }

    @Test
    void differentTagsGiveDifferentHashes() {
      assertThat(TaggedHash.of(Tag.MUTABLE_READ_KEY, ascii("x")))
          .isNotEqualTo(TaggedHash.of(Tag.MUTABLE_WRITE_KEY, ascii("x")));
    }
  }

  @Nested
  class Incremental {
    @Test
    void matchesOneShotAndResetsAfterFinish() {
      TaggedHash h = TaggedHash.start(Tag.MERKLE_NODE);
      byte[] data = ascii("hello world");

      byte[] first = h.update(data, 0, 5).update(ByteBuffer.wrap(data, 5, 6)).finish();
      byte[] second = h.update(data).finish();

      assertThat(first).isEqualTo(TaggedHash.of(Tag.MERKLE_NODE, data)).hasSize(32);
      assertThat(second).isEqualTo(first);
    }

    @Test
    void peekHashesWhatWasFedWithoutEndingIt() {
      TaggedHash h = TaggedHash.start(Tag.PLAINTEXT);
      byte[] data = ascii("hello world");
      byte[] hello = h.update(data, 0, 5).peek();
      assertThat(hello).isEqualTo(TaggedHash.of(Tag.PLAINTEXT, ascii("hello")));
      assertThat(h.update(data, 5, 6).finish()).isEqualTo(TaggedHash.of(Tag.PLAINTEXT, data));
    }
  }

  @Nested
  class Netstring {
    @Test
    void framesLengthColonDataComma() {
      assertThat(TaggedHash.netstring(ascii("abc"))).isEqualTo(ascii("3:abc,"));
      assertThat(TaggedHash.netstring(new byte[0])).isEqualTo(ascii("0:,"));
      assertThat(TaggedHash.netstring(new byte[12])).startsWith(ascii("12:"));
    }
  }
}
