package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.arbitraries.StringArbitrary;
import org.cairnfs.caps.CapFormatException;

/**
 * Directory encode/decode identity over arbitrary entries of every kind (Unicode names, metadata
 * at its extremes, symlinks, FIFOs, sockets and devices, xattrs up to their limits, sealed and
 * opaque write caps), and total behaviour of decode on arbitrary
 * and mutated bytes: a directory or a {@link DirectoryFormatException}, nothing else.
 */
class DirectoryCodecPropertiesTest {
  private static final ChildWriteCapKey KEY = ChildWriteCapKey.of(Fixtures.directory(1));

  /** An entry and, when its write cap was sealed under {@link #KEY}, the sealed text. */
  record Generated(DirectoryEntry entry, Optional<String> sealedText) {}

  /** Candidate name text of every shape; {@link #names()} keeps what EntryName accepts. */
  static Arbitrary<String> nameTexts() {
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMinLength(0).ofMaxLength(40);
    Arbitrary<String> codePoints = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
        .list().ofMinSize(1).ofMaxSize(20)
        .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0,
            cps.size()));
    Arbitrary<String> wide = unicode(1, 70);
    Arbitrary<String> decomposed = Arbitraries.strings()
        .withCharRange('a', 'e').withCharRange('\u0300', '\u0310')
        .withChars('A', '\u00c5', '\u212b')
        .ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> ascii = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1)
        .ofMaxLength(30);
    Arbitrary<String> long3Byte = Arbitraries.strings().withCharRange('\u4e00', '\u4e80')
        .ofMinLength(80).ofMaxLength(90);
    Arbitrary<String> specials = Arbitraries.of(".", "..", "...", "a/b", "a\0", "", " ",
        "\ud83d\udcf7", "\ud83d", "e\u0301", "\u00e9", "\uffff", "\ud800\udc00");
    return Arbitraries.frequencyOf(Tuple.of(3, anyChars), Tuple.of(2, codePoints),
        Tuple.of(3, wide),
        Tuple.of(2, decomposed), Tuple.of(3, ascii), Tuple.of(1, long3Byte),
        Tuple.of(1, specials));
  }

  /** Text of arbitrary code points, surrogates excluded, weighted toward each UTF-8 width. */
  static Arbitrary<String> unicode(int minLength, int maxLength) {
    Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.integers().between(0x20, 0x7e)),
        Tuple.of(2, Arbitraries.integers().between(0x80, 0x7ff)),
        Tuple.of(2, Arbitraries.integers().between(0x800, 0xffff)
            .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)),
        Tuple.of(1, Arbitraries.integers().between(0x10000, Character.MAX_CODE_POINT)),
        Tuple.of(1, Arbitraries.integers().between(0, 0x1f)));
    return codePoint.list().ofMinSize(minLength).ofMaxSize(maxLength)
        .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0,
            cps.size()));
  }

  /** Names of every shape that EntryName itself accepts. */
  static Arbitrary<EntryName> validNames() {
    return nameTexts().map(EntryName::of).ignoreException(DirectoryFormatException.class);
  }

  @Provide
  Arbitrary<EntryName> names() {
    return validNames();
  }

  static Arbitrary<String> capTexts() {
    StringArbitrary printable = Arbitraries.strings().withCharRange('!', '~');
    return Arbitraries.frequencyOf(
        Tuple.of(8, printable.ofMinLength(1).ofMaxLength(120)),
        Tuple.of(1, printable.ofMinLength(1000).ofMaxLength(
            DirectoryEntry.MAX_CAP_LENGTH - "cairn:".length())))
        .map(s -> "cairn:" + s);
  }

  static Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds = Arbitraries.longs()
        .between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond());
    return Combinators.combine(seconds, Arbitraries.integers().between(0, 999_999_999))
        .as(Instant::ofEpochSecond);
  }

  static Arbitrary<String> symlinkTargets() {
    Arbitrary<String> text = Arbitraries.oneOf(unicode(1, 200),
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8));
    Arbitrary<String> longAscii = Arbitraries.strings().withCharRange(' ', '~')
        .ofMinLength(4000).ofMaxLength(EntryMetadata.MAX_SYMLINK_BYTES);
    return Arbitraries.frequencyOf(Tuple.of(9, text), Tuple.of(1, longAscii));
  }

  /** Xattr names: any Unicode, plus a pair whose String and UTF-8 orders differ. */
  static Arbitrary<String> xattrNames() {
    return Arbitraries.frequencyOf(Tuple.of(6, unicode(1, 30)),
            Tuple.of(2, Arbitraries.of("user.a", "user.\ufffd", "user.\ud83d\ude00",
                "security.selinux", "\u00e9", "e\u0301")),
            Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofLength(255)))
        .filter(n -> n.indexOf('\0') < 0
            && n.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                <= EntryMetadata.MAX_XATTR_NAME_BYTES);
  }

  /** Mostly none, sometimes a few, rarely near the limits of size or count. */
  static Arbitrary<Map<String, byte[]>> xattrs() {
    Arbitrary<byte[]> values = Arbitraries.frequencyOf(
        Tuple.of(9, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1000).ofMaxSize(4000)));
    Arbitrary<Map<String, byte[]>> few = Arbitraries.maps(xattrNames(), values).ofMaxSize(6);
    Arbitrary<Map<String, byte[]>> fullValue = xattrNames().map(n -> Map.of(n,
        new byte[EntryMetadata.MAX_XATTR_BYTES - n.getBytes(
            java.nio.charset.StandardCharsets.UTF_8).length]));
    Arbitrary<Map<String, byte[]>> many = Arbitraries.integers().between(1, 1 << 20)
        .map(seed -> {
          Map<String, byte[]> m = new HashMap<>();
          for (int i = 0; i < EntryMetadata.MAX_XATTRS; i++) {
            m.put("x" + Integer.toString(seed + i, 36), new byte[] {(byte) i});
          }
          return m;
        });
    return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(Map.of())), Tuple.of(6, few),
        Tuple.of(1, fullValue), Tuple.of(1, many));
  }

  static Arbitrary<EntryMetadata> metadata(EntryKind kind) {
    Arbitrary<Optional<String>> target = kind == EntryKind.SYMLINK
        ? symlinkTargets().map(Optional::of) : Arbitraries.just(Optional.empty());
    Arbitrary<Long> size = kind.isSpecial() ? Arbitraries.just(0L)
        : Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<Long> rdev = kind.isDevice()
        ? Arbitraries.longs().between(0, EntryMetadata.MAX_RDEV) : Arbitraries.just(0L);
    return Combinators.combine(size,
            Arbitraries.integers().between(0, EntryMetadata.MAX_MODE), instants(), instants(),
            target, rdev, xattrs())
        .as((sz, mode, mtime, ctime, t, dev, x) -> new EntryMetadata(kind, sz, mode, mtime,
            ctime, t, dev, x))
        .ignoreException(DirectoryFormatException.class);
  }

  static Arbitrary<Generated> entries() {
    Arbitrary<EntryMetadata> metadata = Arbitraries.of(EntryKind.class).flatMap(
        DirectoryCodecPropertiesTest::metadata);
    return Combinators.combine(validNames(), metadata,
            capTexts(), capTexts(), Arbitraries.integers().between(0, 2), Arbitraries.integers())
        .as((name, meta, readCap, writeCap, sealing, seed) -> {
          if (!meta.kind().hasCap()) {
            return new Generated(DirectoryEntry.symlink(name, meta), Optional.empty());
          }
          return switch (sealing) {
            case 0 -> new Generated(DirectoryEntry.of(name, readCap, Optional.empty(), meta),
                Optional.empty());
            case 1 -> new Generated(DirectoryEntry.of(name, readCap,
                Optional.of(KEY.seal(name, writeCap, new Fixtures.FixedRandom(seed))), meta),
                Optional.of(writeCap));
            default -> {
              Random random = new Random(seed);
              byte[] box = new byte[SealedWriteCap.MIN_LENGTH + random.nextInt(200)];
              random.nextBytes(box);
              yield new Generated(DirectoryEntry.of(name, readCap,
                  Optional.of(new SealedWriteCap(box)), meta), Optional.empty());
            }
          };
        });
  }

  static Arbitrary<List<Generated>> entryLists(int minSize, int maxSize) {
    return entries().list().ofMinSize(minSize).ofMaxSize(maxSize)
        .withSizeDistribution(RandomDistribution.uniform())
        .uniqueElements(g -> g.entry().name());
  }

  @Provide
  Arbitrary<List<Generated>> entryLists() {
    return entryLists(0, 25);
  }

  static DirectoryContents contentsOf(List<Generated> generated) {
    DirectoryContents.Builder builder = DirectoryContents.builder();
    generated.forEach(g -> builder.put(g.entry()));
    return builder.build();
  }

  @Property(tries = 100)
  void namesAreNfcAndStable(@ForAll("names") EntryName name) {
    assertThat(Normalizer.isNormalized(name.text(), Normalizer.Form.NFC)).isTrue();
    assertThat(EntryName.of(name.text())).isEqualTo(name);
    assertThat(EntryName.fromStored(name.utf8())).isEqualTo(name);
    assertThat(name.utf8().length).isBetween(1, EntryName.MAX_BYTES);
  }

  @Property(tries = 100)
  void encodeDecodeEncodeIsIdentity(@ForAll("entryLists") List<Generated> generated) {
    DirectoryContents contents = contentsOf(generated);
    byte[] bytes = DirectoryCodec.encode(contents);
    // the generators must reach every kind and version 3 often enough to mean something
    Statistics.label("version").collect(bytes[4]);
    Statistics.label("version").coverage(c -> {
      c.check((byte) 1).percentage(p -> p > 5);
      c.check((byte) 3).percentage(p -> p > 30);
    });
    for (Generated g : generated) {
      Statistics.label("kind").collect(g.entry().metadata().kind());
      Statistics.label("xattrs").collect(g.entry().metadata().xattrs().isEmpty() ? "none"
          : g.entry().metadata().xattrs().size() == EntryMetadata.MAX_XATTRS ? "max count"
          : "some");
    }
    Statistics.label("kind").coverage(c -> {
      for (EntryKind kind : EntryKind.values()) {
        c.check(kind).percentage(p -> p > 5);
      }
    });
    Statistics.label("xattrs").coverage(c -> c.check("max count").count(n -> n > 0));

    DirectoryContents back = DirectoryCodec.decode(bytes);

    assertThat(back).isEqualTo(contents);
    assertThat(DirectoryCodec.encode(back)).isEqualTo(bytes);
    List<DirectoryEntry> expected = new ArrayList<>();
    generated.forEach(g -> expected.add(g.entry()));
    expected.sort(Comparator.comparing(DirectoryEntry::name,
        (a, b) -> Arrays.compareUnsigned(a.utf8(), b.utf8())));
    assertThat(back.entries()).containsExactlyElementsOf(expected);
    for (Generated g : generated) {
      DirectoryEntry e = back.get(g.entry().name()).orElseThrow();
      assertThat(e).isEqualTo(g.entry());
      g.sealedText().ifPresent(text ->
          assertThat(KEY.open(e.name(), e.writeCap().orElseThrow())).isEqualTo(text));
    }
  }

  /** A valid encoding with one edit, or two encodings spliced together. */
  @Provide
  Arbitrary<byte[]> hostileBytes() {
    Arbitrary<byte[]> valid = entryLists(1, 8).map(l -> DirectoryCodec.encode(contentsOf(l)));
    Arbitrary<byte[]> mutated = Combinators.combine(valid, Arbitraries.integers().between(0, 5),
            Arbitraries.doubles().between(0, 1).withoutEdgeCases(), Arbitraries.integers())
        .as(DirectoryCodecPropertiesTest::mutate);
    Arbitrary<byte[]> spliced = Combinators.combine(valid, valid,
            Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 1))
        .as((a, b, x, y) -> {
          int cut = (int) (x * a.length);
          int from = (int) (y * b.length);
          byte[] out = Arrays.copyOf(a, cut + b.length - from);
          System.arraycopy(b, from, out, cut, b.length - from);
          return out;
        });
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> headedNoise = Combinators.combine(noise, Arbitraries.of(1, 3))
        .as((n, version) -> {
          byte[] out = Arrays.copyOf(new byte[] {'C', 'D', 'I', 'R', version.byteValue()},
              5 + n.length);
          System.arraycopy(n, 0, out, 5, n.length);
          return out;
        });
    return Arbitraries.frequencyOf(Tuple.of(6, mutated), Tuple.of(1, spliced),
        Tuple.of(1, noise), Tuple.of(2, headedNoise));
  }

  static byte[] mutate(byte[] valid, int op, double where, int value) {
    int at = (int) (where * valid.length);
    switch (op) {
      case 0: { // flip bits of one byte
        byte[] out = valid.clone();
        out[Math.min(at, out.length - 1)] ^= (byte) (value | 1);
        return out;
      }
      case 1: // truncate
        return Arrays.copyOf(valid, at);
      case 2: { // insert a byte
        byte[] out = new byte[valid.length + 1];
        System.arraycopy(valid, 0, out, 0, at);
        out[at] = (byte) value;
        System.arraycopy(valid, at, out, at + 1, valid.length - at);
        return out;
      }
      case 3: { // delete a byte
        if (valid.length == 0 || at == valid.length) {
          return valid;
        }
        byte[] out = new byte[valid.length - 1];
        System.arraycopy(valid, 0, out, 0, at);
        System.arraycopy(valid, at + 1, out, at, valid.length - at - 1);
        return out;
      }
      case 4: { // overwrite up to four bytes with an extreme value (lengths, counts, times)
        byte[] out = valid.clone();
        byte fill = (value & 1) == 0 ? (byte) 0xff : (byte) 0x80;
        for (int i = at; i < Math.min(out.length, at + 1 + (value & 3)); i++) {
          out[i] = fill;
        }
        return out;
      }
      default: { // append bytes
        byte[] out = Arrays.copyOf(valid, valid.length + 1 + (value & 7));
        Arrays.fill(out, valid.length, out.length, (byte) value);
        return out;
      }
    }
  }

  @Property(tries = 300)
  void decodeOfAnyBytesIsADirectoryOrADirectoryFormatException(
      @ForAll("hostileBytes") byte[] bytes) {
    DirectoryContents contents;
    try {
      contents = DirectoryCodec.decode(bytes);
    } catch (DirectoryFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(DirectoryCodec.encode(contents)).as("canonical").isEqualTo(bytes);
    for (DirectoryEntry e : contents.entries()) {
      try {
        e.parsedReadCap();
      } catch (CapFormatException expected) {
        // a malformed cap of a known kind
      }
      if (e.writeCap().isPresent()) {
        try {
          assertThat(KEY.open(e.name(), e.writeCap().get())).startsWith("cairn:");
        } catch (DirectoryIntegrityException expected) {
          // altered, or sealed under another key
        }
      }
    }
  }
}
