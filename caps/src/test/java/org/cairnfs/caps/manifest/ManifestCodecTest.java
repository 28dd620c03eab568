package org.cairnfs.caps.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.immutable.EncodingParams;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
  static final NodeKeyPolicy POLICY = NodeKeyPolicy.convergent(Chunks.SECRET);
  static final EncodingParams PARAMS = EncodingParams.DEFAULTS;

  /** The spec's worked example: chunk 0 stored, chunk 1 a hole, chunk 2 a 20-byte literal. */
  static final ManifestGeometry EXAMPLE = ManifestGeometry.of(4096, 8192 + 20);

  static List<ChunkRef> exampleChunks() {
    byte[] key = new byte[32];
    byte[] ext = new byte[32];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) i;
      ext[i] = (byte) (0x20 + i);
    }
    return List.of(new ChunkRef.Stored(new ImmutableReadCap(key, ext, 3, 10, 4096)),
        new ChunkRef.Hole(4096),
        new ChunkRef.Literal(new LiteralCap("twenty bytes of tail".getBytes())));
  }

  static ManifestCodec.EncodedNode example() {
    return ManifestCodec.encodeLeaf(EXAMPLE.root(), exampleChunks(),
        NodeKeyPolicy.convergent("example secret".getBytes()), PARAMS);
  }

  @Test
  void leafRoundTrips() {
    ManifestCodec.EncodedNode e = example();
    ManifestNode node = ManifestCodec.decode(e.plaintext(), EXAMPLE.root());
    assertThat(node.chunks(e.readKey())).isEqualTo(exampleChunks());
    assertThat(node.toBytes()).isEqualTo(e.plaintext());
    assertThat(node.entryCount()).isEqualTo(3);
  }

  @Test
  void theVerifyViewNamesChunksWithoutTheirKeysOrData() {
    ManifestCodec.EncodedNode e = example();
    List<VerifyEntry> view = ManifestCodec.decode(e.plaintext(), EXAMPLE.root())
        .verifyEntries();
    ImmutableReadCap chunk0 = ((ChunkRef.Stored) exampleChunks().get(0)).cap();
    assertThat(view).containsExactly(new VerifyEntry.Chunk(chunk0.verifier()),
        new VerifyEntry.Hole(4096), new VerifyEntry.Literal(20));
    // Neither the chunk key nor the literal's text is anywhere in the node bytes.
    assertThat(indexOf(e.plaintext(), chunk0.key())).isNegative();
    assertThat(indexOf(e.plaintext(), "twenty bytes".getBytes())).isNegative();
  }

  @Test
  void innerNodesRoundTripAndTheirChildrenOpenWithTheSealedKey() throws Exception {
    MemoryNodeStore store = new MemoryNodeStore();
    ManifestGeometry g = new ManifestGeometry(4, 4096, 4096L * 9);
    NodePosition root = g.root();
    NodeWriter w = new NodeWriter(store, POLICY);
    SubtreeRef a = w.leaf(root.child(0), List.of(Chunks.stored(1, 4096), Chunks.stored(2, 4096),
        new ChunkRef.Hole(4096), Chunks.stored(3, 4096)), false);
    SubtreeRef b = new SubtreeRef.Hole(4 * 4096);
    SubtreeRef c = w.leaf(root.child(2), List.of(Chunks.stored(4, 4096)), false);
    ManifestCodec.EncodedNode e = ManifestCodec.encodeInner(root, List.of(a, b, c), POLICY,
        store.params());
    ManifestNode node = ManifestCodec.decode(e.plaintext(), root);
    assertThat(node.subtrees(e.readKey())).containsExactly(a, b, c);
    List<VerifyEntry> view = node.verifyEntries();
    assertThat(view.get(0)).isEqualTo(new VerifyEntry.Node(((SubtreeRef.Node) a).file(),
        root.child(0)));
    assertThat(view.get(1)).isEqualTo(new VerifyEntry.Hole(4 * 4096));
    assertThat(indexOf(e.plaintext(), ((SubtreeRef.Node) a).readKey())).isNegative();
  }

  @Test
  void aWrongReadKeyIsRefusedNotMisread() {
    ManifestCodec.EncodedNode e = example();
    ManifestNode node = ManifestCodec.decode(e.plaintext(), EXAMPLE.root());
    byte[] wrong = e.readKey();
    wrong[0] ^= 1;
    assertThatThrownBy(() -> node.chunks(wrong)).isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("entry 0: the unsealed chunk key does not match");
  }

  @Test
  void keysFollowTheSpecDerivations() {
    ManifestCodec.EncodedNode e = example();
    byte[] clear = e.plaintext().clone();
    ManifestCodec.applySeal(EXAMPLE.root(), clear, 3, ManifestCodec.keyStream(e.readKey(), 3));
    byte[] contentHash = TaggedHash.of(Tag.MANIFEST_CONTENT, clear);
    byte[] params = ByteBuffer.allocate(8).putShort((short) 3).putShort((short) 10)
        .putInt(128 * 1024).array();
    assertThat(e.readKey()).isEqualTo(TaggedHash.of(Tag.MANIFEST_READ_KEY,
        TaggedHash.netstring("example secret".getBytes()), params, contentHash));
    // The clear form holds the chunk key where the sealed form holds it XOR the key stream.
    assertThat(Arrays.copyOfRange(clear, 20 + 51, 20 + 83))
        .isEqualTo(((ChunkRef.Stored) exampleChunks().get(0)).cap().key());
  }

  /** The worked example of docs/specs/manifest.md, byte for byte (cross-checked in Python). */
  @Test
  void specExample() throws Exception {
    ManifestCodec.EncodedNode e = example();
    HexFormat hex = HexFormat.of();
    assertThat(hex.formatHex(e.readKey())).isEqualTo(EXAMPLE_READ_KEY);
    assertThat(hex.formatHex(e.plaintext())).isEqualTo(EXAMPLE_NODE);
    ImmutableReadCap file = new MemoryNodeStore(PARAMS).put(e.plaintext(),
        ChunkedReadCap.manifestKeyOf(e.readKey()));
    ChunkedReadCap cap = new ChunkedReadCap(e.readKey(), file.extensionHash(), 3, 10, 4096,
        8212);
    assertThat(cap.toString()).isEqualTo(EXAMPLE_CAP);
    assertThat(cap.verifier().toString()).isEqualTo(EXAMPLE_VERIFY_CAP);
    assertThat(cap.index().toString()).isEqualTo(EXAMPLE_INDEX);
  }

  static final String EXAMPLE_CAP =
      "cairn:cf-ro:2mccmiarl4cnh2hqbolgqcfq7jj32spoomguv2ier4bbo52sniza:"
      + "nuifgianjb3wochpsqrozxfus2dbe447i7jjjwa645fyleugos5a:3:10:4096:8212";
  static final String EXAMPLE_VERIFY_CAP =
      "cairn:cf-v:vnkqspm2w2ocdgkgqknjtlacnekl4wzrf4ri5b3uxr6yluawidbq:"
      + "nuifgianjb3wochpsqrozxfus2dbe447i7jjjwa645fyleugos5a:3:10:4096:8212";
  static final String EXAMPLE_INDEX = "aiptfripvmswwmuslvvruzx4aa";

  static final String EXAMPLE_READ_KEY =
      "d3042620115f04d3e8f00b966808b0fa53bd49ee730d4ae9048f021777526a32";
  static final String EXAMPLE_NODE = ""
      + "434d465401000003000010000000000000002014020209126727a0967c99b8ad"
      + "cc919bb80147ea202122232425262728292a2b2c2d2e2f303132333435363738"
      + "393a3b3c3d3e3f5890e369b1f7dbd40991c03eba8e529f00598bb13e67404653"
      + "a18ba881b928f600000000000000000000000000000000000000000000000000"
      + "0000000000000000000000000000000000000000000000000000000000000000"
      + "000000000000000000000000000000000000000000000000000001000069ccac"
      + "b11400b1c29e689d9ae6ad8527cb792f89000000000000000000000000000000"
      + "0000000000000000000000000000000000000000000000000000000000000000"
      + "00000000000000000000000000";

  /** Pins the layout: if this fails the format changed, so bump the version and the spec. */
  @Test
  void golden() throws Exception {
    MemoryNodeStore store = new MemoryNodeStore(PARAMS);
    ManifestBuilder b = new ManifestBuilder(4096, store, POLICY);
    for (int i = 0; i < 1029; i++) {
      b.add(i % 7 == 3 ? new ChunkRef.Hole(4096) : Chunks.stored(i, 4096));
    }
    b.add(Chunks.literal(99, 33));
    ChunkedReadCap cap = (ChunkedReadCap) b.finish();
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    for (ImmutableReadCap node : b.writtenNodes()) {
      sha.update(store.get(node));
    }
    assertThat(b.writtenNodes()).hasSize(GOLDEN_NODES);
    assertThat(b.writtenNodes()).extracting(ImmutableReadCap::size)
        .containsExactly(20 + 1024 * 83L, 20 + 6 * 83L, 20 + 2 * 99L);
    assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(GOLDEN_SHA256);
    assertThat(cap.toString()).isEqualTo(GOLDEN_CAP);
  }

  static final int GOLDEN_NODES = 3;
  static final String GOLDEN_SHA256 =
      "868fffe29a92a54ec6b03f7c159570ac2f3ca1cbdc6c92d3d643456e89198d67";
  static final String GOLDEN_CAP =
      "cairn:cf-ro:uylum4w5pddydxuom6u7amme4glqzhk7ik3ecyhy557aaie4jw4a:"
      + "eodri63zv77emdmdmk5ahzar3n5e5hqn2rmone5e5nnurpasa3ea:3:10:4096:4214817";

  // ---- hostile bytes ----

  private static byte[] exampleBytes() {
    return example().plaintext();
  }

  private static void refused(byte[] bytes, String message) {
    assertThatThrownBy(() -> ManifestCodec.decode(bytes, EXAMPLE.root()))
        .isInstanceOf(ManifestFormatException.class).hasMessageContaining(message);
  }

  @Test
  void headerFaultsAreNamed() {
    refused(new byte[0], "20-byte header, got 0 bytes");
    refused(Arrays.copyOf(exampleBytes(), 19), "20-byte header, got 19 bytes");
    byte[] b = exampleBytes();
    b[0] = 'X';
    refused(b, "bad magic");
    b = exampleBytes();
    b[4] = 2;
    refused(b, "unknown manifest version 2");
    b = exampleBytes();
    b[5] = 6;
    refused(b, "level 6 exceeds 5");
    b = exampleBytes();
    b[5] = 1;
    refused(b, "entry count 3, but 8212 bytes at level 1 need 1");
    b = exampleBytes();
    b[7] = 4;
    refused(b, "entry count 4, but 8212 bytes at level 0 need 3");
    b = exampleBytes();
    ByteBuffer.wrap(b).putInt(8, 4095);
    refused(b, "chunk size 4095 outside [4096, 1073741824]");
    b = exampleBytes();
    ByteBuffer.wrap(b).putLong(12, 0);
    refused(b, "covered length 0");
    b = exampleBytes();
    ByteBuffer.wrap(b).putLong(12, -1);
    refused(b, "covered length 18446744073709551615");
    b = exampleBytes();
    ByteBuffer.wrap(b).putLong(12, 4096L * 1025);
    refused(b, "a level-0 node cannot cover 4198400 bytes: that needs 1025 entries, at most"
        + " 1024");
    refused(Arrays.copyOf(exampleBytes(), 268), "node is 268 bytes, 3 entries at level 0 make 269");
    refused(Arrays.copyOf(exampleBytes(), 270), "node is 270 bytes");
  }

  @Test
  void aNodeFromElsewhereInTheTreeIsRefused() {
    byte[] b = exampleBytes();
    NodePosition other = ManifestGeometry.of(4096, 8192 + 21).root();
    assertThatThrownBy(() -> ManifestCodec.decode(b, other))
        .isInstanceOf(ManifestFormatException.class)
        .hasMessageContaining("covering 8212 bytes; its parent says level 0, chunk size 4096,"
            + " covering 8213");
  }

  @Test
  void entryFaultsAreNamed() {
    int e0 = 20;
    int e1 = 20 + 83;
    int e2 = 20 + 2 * 83;
    byte[] b = exampleBytes();
    b[e1 + 40] = 1;
    refused(b, "entry 1: hole must be zero, byte 39 is not");
    b = exampleBytes();
    b[e1] = 9;
    refused(b, "entry 1: unknown leaf entry kind 9");
    b = exampleBytes();
    b[e1] = 3;
    refused(b, "entry 1: unknown leaf entry kind 3");
    b = exampleBytes();
    b[e0] = 1;
    refused(b, "entry 0: a literal of 4096 bytes");
    b = exampleBytes();
    b[e2] = 2;
    refused(b, "entry 2: a stored chunk of 20 bytes");
    b = exampleBytes();
    b[e2 + 3 + 20] = 1;
    refused(b, "entry 2: literal padding must be zero, byte 0 is not");
    b = exampleBytes();
    b[e2 + 1] = 1;
    refused(b, "entry 2: literal parameters must be zero");
    b = exampleBytes();
    b[e0 + 1] = 10; // k = 11 > n = 10
    refused(b, "entry 0: k (11) exceeds n (10)");
  }

  @Test
  void innerEntryFaultsAreNamed() throws Exception {
    ManifestGeometry g = new ManifestGeometry(4, 4096, 4096L * 9);
    NodePosition root = g.root();
    ManifestCodec.EncodedNode e = ManifestCodec.encodeInner(root, List.of(
        new SubtreeRef.Hole(4 * 4096), new SubtreeRef.Hole(4 * 4096),
        new SubtreeRef.Hole(4096)), POLICY, PARAMS);
    byte[] b = e.plaintext().clone();
    b[20 + 99] = 2;
    assertThatThrownBy(() -> ManifestCodec.parse(b, 4, 0))
        .hasMessageContaining("entry 1: unknown inner entry kind 2");
    byte[] c = e.plaintext().clone();
    c[20 + 98] = 5;
    assertThatThrownBy(() -> ManifestCodec.parse(c, 4, 0))
        .hasMessageContaining("entry 0: hole must be zero, byte 97 is not");
    byte[] d = e.plaintext().clone();
    d[20 + 2 * 99] = 3;
    d[20 + 2 * 99 + 1] = 5;
    assertThatThrownBy(() -> ManifestCodec.parse(d, 4, 0))
        .hasMessageContaining("entry 2: k (6) exceeds n (1)");
  }

  @Test
  void encodeRefusesEntriesThatDoNotFitTheirPosition() {
    NodePosition root = EXAMPLE.root();
    assertThatThrownBy(() -> ManifestCodec.encodeLeaf(root, exampleChunks().subList(0, 2),
        POLICY, PARAMS)).hasMessageContaining("holds 3 entries, got 2");
    List<ChunkRef> wrong = List.of(new ChunkRef.Hole(4096), new ChunkRef.Hole(4096),
        new ChunkRef.Hole(21));
    assertThatThrownBy(() -> ManifestCodec.encodeLeaf(root, wrong, POLICY, PARAMS))
        .hasMessageContaining("entry 2 (first chunk 0, level 0) must cover 20 bytes, got 21");
    assertThatThrownBy(() -> ManifestCodec.encodeInner(root, List.of(), POLICY, PARAMS))
        .hasMessageContaining("a level-0 node is a leaf");
  }

  @Test
  void theRootFileOfACapHasTheRootNodesLength() {
    ChunkedReadCap cap = new ChunkedReadCap(new byte[32], new byte[32], 3, 10, 4096,
        8192 + 20);
    ImmutableReadCap root = ManifestCodec.rootFile(cap);
    assertThat(root.size()).isEqualTo(269);
    assertThat(root.key()).isEqualTo(cap.manifestKey());
    assertThat(root.index()).isEqualTo(cap.index());
    assertThat(ManifestCodec.rootFile(cap.verifier())).isEqualTo(root);
    ImmutableVerifyCap v = root.verifier();
    assertThat(v.index()).isEqualTo(cap.verifier().index());
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
