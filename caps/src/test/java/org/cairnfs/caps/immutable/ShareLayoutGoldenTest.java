package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
    "381118c758af1426caa8085ff9dc94f1d741039cfb3bdf8067dd79808121db63",
    "e8ce34f2653caf9e595e1419ec6ee613e89a7060beb586070524a905bea7fac8",
    "9b16cbb1bf3a432d5889decf0b8634e7264090c570df3de67e60c7f40d125b00",
    "59639174bf6b27715ca8f1600845c555dcba71ba3c0470bc18fc8e5c8e50160b",
    "240c58b388ffca3d3518f35db40a4dfadeae74165cc957e94d47840028ff851b",
    "11aeeea459dd76cdd75b284f03ba5b99e3fdedcee3126893c0468cfa3fdef324",
    "5a84e755fb6b1356915294cc065957c1c0e57c7ac8acb5f9b17dee2b29002fec",
    "4282e01c6e07fc79debb5ad0e97a95278db44e9d696b5370a102d7f613ceceb1",
    "d12dacb20303273a4cd823b5ae3b815809764f130109249d8a29e986e652c852",
    "1a3ab823c7006c58fd35161adbfd3049689faa876c4155bcbe4360a0e0829f77",
  };
  static final String KEY = 
      "f9633956c24061ec33554dcb195ac0f3a583af01398a6d1c266a757168a3ad7f";
  static final String EXTENSION_HASH = 
      "de6d3d62b09d8067cdb40d02187f73b8f0cc7b28d3603428eb00aa234751af8e";

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
    assertThat(out[0].bytes()).hasSize(843);
    assertThat(key).isEqualTo(KEY);
    assertThat(extensionHash).isEqualTo(EXTENSION_HASH);
    assertThat(actual).containsExactly(SHARE_SHA256);
    assertThat(((ImmutableReadCap) cap).size()).isEqualTo(300);
  }
}
