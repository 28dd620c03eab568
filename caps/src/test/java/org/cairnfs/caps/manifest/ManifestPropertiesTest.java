package org.cairnfs.caps.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;

/**
 * Encode/decode identity of nodes, total behaviour of the decoder on hostile bytes, and edit
 * sequences against a plain list of chunks (fanout 3, so a few dozen chunks make deep trees).
 */
class ManifestPropertiesTest {
  private static final EncodingParams PARAMS = EncodingParams.DEFAULTS;
  private static final int C = 4096;

  /** A leaf position of up to 64 entries and chunks fitting it, from a seed. */
  static ManifestCodec.EncodedNode leaf(long seed, int chunkSize, long covered,
      NodeKeyPolicy policy, List<ChunkRef> out) {
    NodePosition at = new NodePosition(0, 0, covered, chunkSize, ManifestGeometry.FANOUT);
    Random r = new Random(seed);
    for (int c = 0; c < at.entryCount(); c++) {
      out.add(Chunks.holeOrData(r.nextInt(4) == 0, r.nextLong(), at.entryLength(c)));
    }
    return ManifestCodec.encodeLeaf(at, out, policy, PARAMS);
  }

  @Property(tries = 200)
  void leavesRoundTrip(@ForAll long seed, @ForAll @IntRange(min = 4096, max = 70_000) int chunk,
      @ForAll @IntRange(min = 1, max = 64) int chunks, @ForAll @IntRange(min = 1, max = 70_000)
      int tail, @ForAll boolean convergent) {
    long covered = (long) (chunks - 1) * chunk + Math.min(tail, chunk);
    List<ChunkRef> in = new ArrayList<>();
    ManifestCodec.EncodedNode e = leaf(seed, chunk, covered, policy(convergent, seed), in);
    NodePosition at = new NodePosition(0, 0, covered, chunk, ManifestGeometry.FANOUT);
    ManifestNode node = ManifestCodec.decode(e.plaintext(), at);
    assertThat(node.chunks(e.readKey())).isEqualTo(in);
    assertThat(node.toBytes()).isEqualTo(e.plaintext());
    List<VerifyEntry> view = node.verifyEntries();
    for (int c = 0; c < in.size(); c++) {
      ChunkRef ref = in.get(c);
      VerifyEntry v = view.get(c);
      assertThat(v.length()).isEqualTo(ref.length());
      if (ref instanceof ChunkRef.Stored s) {
        assertThat(v).isEqualTo(new VerifyEntry.Chunk(s.cap().verifier()));
      }
    }
  }

  @Property(tries = 200)
  void innerNodesRoundTrip(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int children,
      @ForAll @IntRange(min = 1, max = 1024) int lastChunks, @ForAll boolean convergent) {
    long span = (long) ManifestGeometry.FANOUT * C;
    long covered = (children - 1) * span + (long) lastChunks * C;
    NodePosition at = new NodePosition(1, 0, covered, C, ManifestGeometry.FANOUT);
    Random r = new Random(seed);
    List<SubtreeRef> in = new ArrayList<>();
    for (int c = 0; c < at.entryCount(); c++) {
      NodePosition child = at.child(c);
      if (r.nextInt(3) == 0) {
        in.add(new SubtreeRef.Hole(child.coveredLength()));
      } else {
        byte[] readKey = new byte[32];
        byte[] ext = new byte[32];
        r.nextBytes(readKey);
        r.nextBytes(ext);
        int n = 1 + r.nextInt(256);
        in.add(new SubtreeRef.Node(readKey, new ImmutableReadCap(
            ChunkedReadCap.manifestKeyOf(readKey), ext, 1 + r.nextInt(n), n,
            child.nodeLength()), child.coveredLength()));
      }
    }
    ManifestCodec.EncodedNode e = ManifestCodec.encodeInner(at, in, policy(convergent, seed),
        PARAMS);
    ManifestNode node = ManifestCodec.decode(e.plaintext(), at);
    assertThat(node.subtrees(e.readKey())).isEqualTo(in);
    assertThat(ManifestCodec.decode(e.plaintext()).toBytes()).isEqualTo(e.plaintext());
  }

  private static NodeKeyPolicy policy(boolean convergent, long seed) {
    return convergent ? NodeKeyPolicy.convergent(Long.toString(seed).getBytes())
        : NodeKeyPolicy.random(new SecureRandom());
  }

  // ---- hostile bytes ----

  /** Decoding may only fail with ManifestFormatException; what parses is canonical. */
  static void decodeHostile(byte[] bytes, byte[] readKey) {
    ManifestNode node;
    try {
      node = ManifestCodec.decode(bytes);
    } catch (ManifestFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    assertThat(node.toBytes()).isEqualTo(bytes);
    node.verifyEntries();
    try {
      if (node.position().isLeaf()) {
        node.chunks(readKey);
      } else {
        node.subtrees(readKey);
      }
    } catch (ManifestFormatException expected) {
      // a key that does not open this node
    }
  }

  @Property(tries = 1000)
  void arbitraryBytesNeverEscape(@ForAll @Size(max = 600) byte[] bytes) {
    decodeHostile(bytes, new byte[32]);
  }

  @Provide
  Arbitrary<byte[]> mutatedNodes() {
    Arbitrary<byte[]> valid = Combinators.combine(Arbitraries.longs(),
        Arbitraries.integers().between(1, 12), Arbitraries.integers().between(1, C))
        .as((seed, count, tail) -> leaf(seed, C, (long) (count - 1) * C + tail,
            NodeKeyPolicy.convergent(new byte[1]), new ArrayList<>()).plaintext());
    return Combinators.combine(valid, Arbitraries.integers().between(0, 4),
        Arbitraries.integers(), Arbitraries.bytes()).as((b, how, where, value) -> {
          byte[] out = b.clone();
          int at = Math.floorMod(where, out.length);
          switch (how) {
            case 0:
              out[at] = value;
              return out;
            case 1:
              out[at] ^= 1 << Math.floorMod(value, 8);
              return out;
            case 2:
              return java.util.Arrays.copyOf(out, at);
            case 3:
              return java.util.Arrays.copyOf(out, out.length + 1 + Math.floorMod(value, 90));
            default:
              return out;
          }
        });
  }

  @Property(tries = 1000)
  void mutatedNodesNeverEscape(@ForAll("mutatedNodes") byte[] bytes) {
    decodeHostile(bytes, new byte[32]);
  }

  // ---- edits against a model ----

  sealed interface Op permits Put, Resize {}

  record Put(int index, boolean hole, long seed) implements Op {}

  record Resize(long size, long seed) implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> put = Combinators.combine(Arbitraries.integers().between(0, 200),
        Arbitraries.of(true, false), Arbitraries.longs()).as(Put::new);
    Arbitrary<Op> resize = Combinators.combine(Arbitraries.oneOf(
        Arbitraries.longs().between(0, 45L * C),
        Arbitraries.integers().between(0, 45).map(i -> (long) i * C),
        Arbitraries.longs().between(0, 100)), Arbitraries.longs()).as(Resize::new);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, put),
        net.jqwik.api.Tuple.of(2, resize)).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 150)
  void editsMatchAListOfChunks(@ForAll("ops") List<Op> ops, @ForAll boolean startEmpty)
      throws IOException {
    MemoryNodeStore store = new MemoryNodeStore();
    NodeKeyPolicy policy = NodeKeyPolicy.convergent(Chunks.SECRET);
    List<ChunkRef> model = new ArrayList<>();
    if (!startEmpty) {
      for (int i = 0; i < 10; i++) {
        model.add(Chunks.holeOrData(i % 4 == 1, i, i == 9 ? 1234 : C));
      }
    }
    Cap file = build(store, policy, model);
    for (Op op : ops) {
      ManifestEdit edit = ManifestEdit.of(3, file, C);
      if (op instanceof Put p) {
        if (model.isEmpty()) {
          continue;
        }
        int index = p.index() % model.size();
        ChunkRef chunk = Chunks.holeOrData(p.hole(), p.seed(), model.get(index).length());
        model.set(index, chunk);
        edit.put(index, chunk);
      } else {
        Resize r = (Resize) op;
        long oldSize = size(model);
        edit.resize(r.size());
        resizeModel(model, r.size());
        if (edit.chunkNeedingContent().isPresent()) {
          int index = (int) edit.chunkNeedingContent().getAsLong();
          ChunkRef chunk = Chunks.holeOrData(r.seed() % 3 == 0, r.seed(),
              model.get(index).length());
          model.set(index, chunk);
          edit.put(index, chunk);
        }
        assertThat(size(model)).isEqualTo(r.size()).isNotNegative();
        assertThat(oldSize).isNotNegative();
      }
      EditResult result = edit.apply(store, policy);
      file = result.file();
      List<ChunkRef> walked = new ArrayList<>();
      ManifestWalk.chunks(3, file, store, 0, model.size(), (i, c) -> walked.add(c));
      assertThat(walked).isEqualTo(model);
      assertThat(file).as("same content, same cap").isEqualTo(build(store, policy, model));
    }
  }

  /** Truncates or extends with holes; a chunk whose length changes is marked for rewrite. */
  private static void resizeModel(List<ChunkRef> model, long size) {
    long chunks = ManifestGeometry.ceilDiv(size, C);
    while (model.size() > chunks) {
      model.remove(model.size() - 1);
    }
    for (int i = 0; i < model.size(); i++) {
      long length = Math.min(C, size - (long) i * C);
      if (model.get(i).length() != length) {
        model.set(i, new ChunkRef.Hole(length)); // replaced by the caller's put if not a hole
      }
    }
    while (model.size() < chunks) {
      long i = model.size();
      model.add(new ChunkRef.Hole(Math.min(C, size - i * C)));
    }
  }

  private static long size(List<ChunkRef> model) {
    return model.stream().mapToLong(ChunkRef::length).sum();
  }

  private static Cap build(MemoryNodeStore store, NodeKeyPolicy policy, List<ChunkRef> model)
      throws IOException {
    ManifestBuilder b = new ManifestBuilder(3, C, store, policy);
    for (ChunkRef c : model) {
      b.add(c);
    }
    return b.finish();
  }
}
