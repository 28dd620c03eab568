package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

/**
 * Pins the immutable share format: any change to the layout, tags, key derivation or coding
 * changes these hashes. If this fails, the format changed: bump the version and the spec.
 */
class ShareLayoutGoldenTest {
  static final String[] SHARE_SHA256 = {
    "b96b2b0c8052a9653998dfd55e6c0bf52a357c67e37d90c8ba617e7cfb8e8a7e",
    "6d42c0ba32dbeabf282ed580670e1041ff7fcf19e037c4fc91c7eb5d83557f13",
    "4341f6897bc45e6285894ba94c9c07626d9006618a351a02d1b9877d93a71e7c",
    "0458b6246f55bc8e1b18be387778e0caf85283cda452ab1a836519e53eb58aa2",
    "e7502b5d2c4b6baa6a6ea272eb1b3d694cc8bb7be20c98a82f35b80cf320d7bc",
    "9acf865ccf88c46698f7b8e8852d6d0a22aea30f385840739ee68bd16b2ae607",
    "c33708755355c3b89e045acd60d50706cf09654c3f44854b3747b2ac4f422306",
    "cfcfef18d6b39301279bd76249ef50b1c566205106fb3fbe5308dad7b4faf35a",
    "fc32606c94b9120402711f63c9c88bcf7fc31e91b25f99017d03cbc1753727fc",
    "ab4efaeeb25b885fd6007e61f2c8b0472b5738240e38c53983aa4a43cdc9050d",
  };
  static final String KEY =
      "f9633956c24061ec33554dcb195ac0f3a583af01398a6d1c266a757168a3ad7f";
  static final String EXTENSION_HASH =
      "a7f791ede731ea0519a6004c1c7405c8bb9a966bd8a217494414bc19388d50ce";

  static byte[] plaintext() {
    byte[] data = new byte[300];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 % 251);
    }
    return data;
  }

  @Test
  void sharesOfAFixedFileHaveFixedHashes() throws IOException, NoSuchAlgorithmException {
    EncodingParams params =
        EncodingParams.builder().k(3).happy(7).n(10).segmentSize(64).build();
    ByteArrayShare[] out = new ByteArrayShare[10];
    Cap cap = ImmutableEncoder.convergent(params,
            "cairn golden secret".getBytes(StandardCharsets.US_ASCII))
        .encode(PlaintextSource.of(plaintext()), (i, length) -> out[i] = new ByteArrayShare(length));
    String[] actual = new String[10];
    for (int i = 0; i < 10; i++) {
      actual[i] = HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(out[i].bytes()));
    }
    ImmutableReadCap read = (ImmutableReadCap) cap;
    String key = HexFormat.of().formatHex(read.key());
    String extensionHash = HexFormat.of().formatHex(read.extensionHash());
    assertThat(out[0].bytes()).hasSize(1363);
    assertThat(key).isEqualTo(KEY);
    assertThat(extensionHash).isEqualTo(EXTENSION_HASH);
    assertThat(actual).containsExactly(SHARE_SHA256);
    assertThat(((ImmutableReadCap) cap).size()).isEqualTo(300);
    ShareLayout layout = ShareLayout.of(params, 300);
    int from = (int) layout.segmentTreeOffset();
    int to = (int) layout.blockTreeOffset();
    for (int i = 1; i < 10; i++) {
      assertThat(Arrays.equals(out[i].bytes(), from, to, out[0].bytes(), from, to))
          .as("segment tree of share " + i + " equals share 0's").isTrue();
    }
  }
}
