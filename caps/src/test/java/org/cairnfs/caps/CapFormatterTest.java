package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Exact strings. {@link SpecExample} is the worked example of docs/specs/caps.md: if a
 * derivation or the grammar changes, this fails and the spec must be updated with it. The
 * expected values were cross-checked with an independent Python computation.
 */
class CapFormatterTest {
  @Nested
  class Grammar {
    @Test
    void literalIsPrefixAndBase32Data() {
      assertThat(new LiteralCap("hello".getBytes(StandardCharsets.US_ASCII)))
          .hasToString("cairn:lit:nbswy3dp");
      assertThat(new LiteralCap(new byte[0])).hasToString("cairn:lit:");
      assertThat(new LiteralDirectoryCap(new LiteralCap(new byte[0])))
          .hasToString("cairn:dir-lit:");
    }

    @Test
    void numbersAreDecimalWithoutPaddingOrSign() {
      ImmutableReadCap chk = new ImmutableReadCap(new byte[32], new byte[32], 1, 256, 0);

      assertThat(chk.toString()).endsWith(":1:256:0")
          .startsWith("cairn:chk:" + "a".repeat(52) + ":" + "a".repeat(52) + ":");
    }

    @Test
    void everyKindUsesItsOwnPrefix() {
      assertThat(CapSamples.oneOfEachKind()).extracting(c -> CapParser.kindOf(c.toString()))
          .containsExactly("mut", "dir", "lit", "dir-lit", "chk", "dir-chk", "cf-ro", "mut-ro",
              "dir-ro", "chk-v", "dir-chk-v", "mut-v", "dir-v", "cf-v");
    }
  }

  @Nested
  class SpecExample {
    private final byte[] seed = CapSamples.bytes(32, 0);
    private final byte[] publicKey =
        new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
    private final MutableWriteCap mut = new MutableWriteCap(
        TaggedHash.of(Tag.MUTABLE_WRITE_KEY, seed),
        TaggedHash.of(Tag.VERIFYING_KEY_FINGERPRINT, publicKey));
    private final ImmutableReadCap chk = new ImmutableReadCap(
        CapSamples.bytes(32, 0x20),
        TaggedHash.of(Tag.EXTENSION_BLOCK,
            "example extension block".getBytes(StandardCharsets.US_ASCII)),
        3, 10, 1_000_000);

    @Test
    void mutableFileAndDirectory() {
      String wk = "4mqzzl2mu24b5bfomiuajluwhdylngpu4pzzuksnvpctxoajrq3a";
      String rk = "ep5qa3czrnyanggpwt4swdfqbn7gr2vzmk2jbuqr7hsbgpefoyiq";
      String fp = "nt5nhq3k3kljyw7fggvbhrih5ukpglecanedhoosgf63hlksbryq";
      DirectoryWriteCap dir = new DirectoryWriteCap(mut);

      assertThat(Base32.encode(publicKey))
          .isEqualTo("aoqqpp7tzyil4hlq3umoos6atft6jvrqtosq2xy53sdgiesvgg4a");
      assertThat(mut).hasToString("cairn:mut:" + wk + ":" + fp);
      assertThat(mut.readOnly()).hasToString("cairn:mut-ro:" + rk + ":" + fp);
      assertThat(mut.verifyCap().orElseThrow()).hasToString("cairn:mut-v:" + fp);
      assertThat(mut.storageIndex().orElseThrow()).hasToString("yiy7artz5fsai6toyaltgxjuqq");
      assertThat(dir).hasToString("cairn:dir:" + wk + ":" + fp);
      assertThat(dir.readOnly()).hasToString("cairn:dir-ro:" + rk + ":" + fp);
      assertThat(dir.verifyCap().orElseThrow()).hasToString("cairn:dir-v:" + fp);
    }

    @Test
    void immutableFileAndDirectory() {
      String key = "eaqseizeeutcokbjfivsyljof4ydcmrtgq2tmnzyhe5dwpb5hy7q";
      String eh = "c734xbuz4bgowky2a6ujo7eax7rktpus5xipkd75nitmkbx2737a";
      String si = "3qjlccahsxo73typaz3rmwbrnu";

      assertThat(chk).hasToString("cairn:chk:" + key + ":" + eh + ":3:10:1000000");
      assertThat(chk.verifier()).hasToString("cairn:chk-v:" + si + ":" + eh + ":3:10:1000000");
      assertThat(new ImmutableDirectoryReadCap(chk))
          .hasToString("cairn:dir-chk:" + key + ":" + eh + ":3:10:1000000");
      assertThat(new ImmutableDirectoryReadCap(chk).verifyCap().orElseThrow())
          .hasToString("cairn:dir-chk-v:" + si + ":" + eh + ":3:10:1000000");
    }

    /** The strings computed here appear verbatim in the spec, so the two cannot drift apart. */
    @Test
    void specShowsTheseExactStrings() throws IOException {
      DirectoryWriteCap dir = new DirectoryWriteCap(mut);
      ImmutableDirectoryReadCap dirChk = new ImmutableDirectoryReadCap(chk);
      List<Object> shown = List.of(mut, mut.readOnly(), mut.verifyCap().orElseThrow(),
          mut.storageIndex().orElseThrow(), dir, dir.readOnly(), dir.verifyCap().orElseThrow(),
          chk, chk.verifier(), chk.index(), dirChk, dirChk.verifyCap().orElseThrow(),
          Base32.encode(publicKey), new LiteralCap("hello".getBytes(StandardCharsets.US_ASCII)));

      String spec = Files.readString(SPEC);

      for (Object value : shown) {
        assertThat(spec).contains(value.toString());
      }
    }
  }

  /** Relative to the caps module, where surefire runs. */
  static final Path SPEC = Path.of("..", "docs", "specs", "caps.md");
}
