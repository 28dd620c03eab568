package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;
import org.junit.jupiter.api.Test;

/**
 * The journal codec at its limits (found by PIT): records whose last field ends the frame
 * exactly, values at each bound, and frames with a good checksum but content the codec must
 * refuse (a journal written by a bug or by hand) without allocating what a count claims.
 */
class JournalCodecLimitsTest {
  static final long SEQ = 7;

  static byte[] header(int version) {
    return new byte[] {'C', 'J', 'N', 'L', (byte) version, 0, 0, 0};
  }

  static ByteBuffer journal(int version, byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header(version));
    for (byte[] f : frames) {
      out.writeBytes(f);
    }
    return ByteBuffer.wrap(out.toByteArray());
  }

  /** A frame around {@code body} with a right checksum. */
  static byte[] frame(byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body, 0, body.length);
    return ByteBuffer.allocate(body.length + 8).putInt(body.length).put(body)
        .putInt((int) crc.getValue()).array();
  }

  interface Payload {
    void write(DataOutputStream out) throws IOException;
  }

  static byte[] body(int type, Payload p) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(type);
    out.writeLong(SEQ);
    p.write(out);
    return bytes.toByteArray();
  }

  static void roundTrips(JournalRecord r) {
    byte[] encoded = JournalCodec.encode(SEQ, r);
    JournalCodec.Decoded d = JournalCodec.decode(journal(JournalCodec.VERSION, encoded));
    assertThat(d.entries()).as("%s", r).hasSize(1);
    assertThat(d.validLength()).isEqualTo(8 + encoded.length);
    assertThat(JournalCodec.encode(SEQ, d.entries().get(0).record())).isEqualTo(encoded);
  }

  /** A frame the codec must refuse: nothing taken, the journal valid up to its header. */
  static void refused(byte[] body) {
    byte[] good = JournalCodec.encode(SEQ, new DirCreated(1, "before"));
    JournalCodec.Decoded d = JournalCodec.decode(journal(JournalCodec.VERSION, good,
        frame(body), JournalCodec.encode(SEQ + 1, new DirCreated(2, "after"))));
    assertThat(d.headerValid()).isTrue();
    assertThat(d.entries()).hasSize(1); // the record before it; nothing from it on
    assertThat(d.validLength()).isEqualTo(8 + good.length);
  }

  static NodeMetadata fileMeta(Instant t, Map<String, byte[]> xattrs) {
    return new NodeMetadata(EntryKind.FILE, 5, 0644, t, t, Optional.empty(), xattrs);
  }

  @Test
  void recordsWhoseLastFieldEndsTheFrameAndValuesAtTheirBoundsRoundTrip() {
    roundTrips(new FileCommit(1, 2, Optional.empty(), 0, 100, 100,
        List.of(new PageRun(0, 3), new PageRun(10, 1)), Optional.empty()));
    roundTrips(new FileCommit(1, 2, Optional.of("base"), 10, 0, 0, List.of(), Optional.empty()));
    roundTrips(new FileCommit(1, 2, Optional.empty(), 0, 1, 1,
        List.of(new PageRun(Integer.MAX_VALUE - 1, 1)), Optional.empty())); // the last page
    roundTrips(new FileCommit(1, 2, Optional.empty(), 0, JournalCodec.MAX_INLINE,
        JournalCodec.MAX_INLINE, List.of(), Optional.of(new byte[JournalCodec.MAX_INLINE])));
    roundTrips(new DirCreated(5, "cap-at-the-end"));
    roundTrips(new DirCreated(5, ""));
    roundTrips(new EntriesPublished(new DirRef.Local(3),
        List.of(new NameSeq("", 1), new NameSeq("", 2))));
    roundTrips(new EntriesPublished(new DirRef.Local(3), List.of()));
    Instant last = Instant.ofEpochSecond(1_700_000_000L, 999_999_999);
    roundTrips(new SetEntry(new DirRef.Local(1), "f", new ChildRef.LocalFile(4, 1),
        fileMeta(last, Map.of("user.x", new byte[] {1, 2, 3}))));
    roundTrips(new SetEntry(new DirRef.Local(1), "f", new ChildRef.LocalFile(4, 1),
        fileMeta(last, Map.of("user.empty", new byte[0]))));
  }

  /**
   * A string's length is written in two bytes: one of exactly 65 535 UTF-8 bytes round-trips,
   * one byte more is refused when written (naming its length) rather than cut.
   */
  @Test
  void aStringOfExactlyTheTwoByteLengthIsKeptAndOneByteMoreIsRefused() {
    roundTrips(new DirCreated(5, "c".repeat(0xffff)));
    roundTrips(new DirCreated(5, "\u00e9".repeat(0xffff / 2) + "c")); // 2-byte chars: 65 535
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> JournalCodec.encode(SEQ, new DirCreated(5, "c".repeat(0x10000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("string of 65536 bytes");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> JournalCodec.encode(SEQ, new DirCreated(5, "\u00e9".repeat(0x8000))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("string of 65536 bytes");
  }

  /** A record of exactly {@link JournalCodec#MAX_BODY} bytes is written and read; one more is not. */
  @Test
  void aRecordOfExactlyTheBodyBoundIsKeptAndOneByteMoreIsRefused() {
    // body: type 1 + seq 8 + id 8 + gen 8 + base (1 + 2 + L) + 3 sizes 24 + runs 4 + 12 r + 1
    int runs = 87_376;
    int baseLength = JournalCodec.MAX_BODY - 57 - 12 * runs;
    assertThat(baseLength).isEqualTo(7);
    List<PageRun> pages = new java.util.ArrayList<>(runs);
    for (int i = 0; i < runs; i++) {
      pages.add(new PageRun(2L * i, 1));
    }
    FileCommit exact = new FileCommit(1, 2, Optional.of("b".repeat(baseLength)), 0, 1, 1,
        pages, Optional.empty());
    assertThat(JournalCodec.encode(SEQ, exact)).hasSize(JournalCodec.MAX_BODY + 8);
    roundTrips(exact);
    FileCommit over = new FileCommit(1, 2, Optional.of("b".repeat(baseLength + 1)), 0, 1, 1,
        pages, Optional.empty());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JournalCodec.encode(SEQ, over))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(JournalCodec.MAX_BODY + 1));
  }

  @Test
  void aVersionItDoesNotKnowIsNotAJournalOfOurs() {
    byte[] frame = JournalCodec.encode(SEQ, new DirCreated(1, "x"));
    assertThat(JournalCodec.decode(journal(JournalCodec.VERSION + 1, frame)).headerValid())
        .isFalse();
    assertThat(JournalCodec.decode(journal(0, frame)).headerValid()).isFalse();
    assertThat(JournalCodec.decode(journal(JournalCodec.VERSION, frame)).entries()).hasSize(1);
  }

  @Test
  void framesWithAGoodChecksumButBadContentAreRefused() throws IOException {
    // a record followed by a byte of nothing
    refused(body(JournalCodec.DIR_CREATED, out -> {
      out.writeLong(5);
      out.writeShort(1);
      out.writeByte('x');
      out.writeByte(0);
    }));
    // flags beyond moved (1) and fresh (2)
    refused(body(JournalCodec.REMOVE_ENTRY, out -> {
      out.writeByte(2);
      out.writeLong(1);
      out.writeShort(1);
      out.writeByte('x');
      out.writeByte(4);
    }));
    // counts far beyond the frame: refused before anything that size is allocated
    refused(body(JournalCodec.FILE_COMMIT, out -> {
      commitHead(out);
      out.writeInt(Integer.MAX_VALUE);
      out.writeByte(0);
    }));
    refused(body(JournalCodec.ENTRIES_PUBLISHED, out -> {
      out.writeByte(2);
      out.writeLong(3);
      out.writeInt(Integer.MAX_VALUE);
    }));
    // an empty page run
    refused(body(JournalCodec.FILE_COMMIT, out -> {
      commitHead(out);
      out.writeInt(1);
      out.writeLong(0);
      out.writeInt(0);
      out.writeByte(0);
    }));
    // inline data one byte over its bound, all of it present
    refused(body(JournalCodec.FILE_COMMIT, out -> {
      commitHead(out);
      out.writeInt(0);
      out.writeByte(1);
      out.writeInt(JournalCodec.MAX_INLINE + 1);
      out.write(new byte[JournalCodec.MAX_INLINE + 1]);
    }));
    // a second's nanoseconds out of range
    refused(setEntry(1_000_000_000, 0, 0));
    // an xattr value longer than what is left of the frame
    refused(setEntry(0, 4, 3));
  }

  private static void commitHead(DataOutputStream out) throws IOException {
    out.writeLong(1); // id
    out.writeLong(2); // gen
    out.writeByte(0); // no base
    out.writeLong(0); // base size
    out.writeLong(0); // size
    out.writeLong(0); // limit
  }

  /** A SET_ENTRY of a file whose mtime has {@code nanos}, with one xattr claiming a length. */
  private static byte[] setEntry(int nanos, int xattrLength, int xattrBytes) throws IOException {
    return body(JournalCodec.SET_ENTRY, out -> {
      out.writeByte(2);
      out.writeLong(1); // dir: local 1
      out.writeShort(1);
      out.writeByte('f');
      out.writeByte(2);
      out.writeLong(4);
      out.writeLong(1); // child: local file 4, generation 1
      out.writeByte(EntryKind.FILE.code());
      out.writeLong(5);
      out.writeShort(0644);
      out.writeLong(1_700_000_000L);
      out.writeInt(nanos);
      out.writeLong(1_700_000_000L);
      out.writeInt(0);
      out.writeByte(0); // no symlink target
      out.writeShort(xattrLength > 0 ? 1 : 0);
      if (xattrLength > 0) {
        out.writeShort(6);
        out.writeBytes("user.x");
        out.writeInt(xattrLength);
        out.write(new byte[xattrBytes]);
      }
    });
  }
}
