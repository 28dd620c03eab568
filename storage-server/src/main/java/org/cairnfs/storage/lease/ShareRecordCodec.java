package org.cairnfs.storage.lease;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Byte form of a {@link ShareRecord} as a value in the lease database (see
 * {@code docs/specs/storage-layout.md}). All integers are big-endian.
 *
 * <pre>
 * offset size  field
 * 0      2     magic 0xCA 0x52
 * 2      1     version (1)
 * 3      8     share size in bytes
 * 11     8     seqnum (-1: none)
 * 19     2     lease count L (0..64)
 * 21     ...   L leases: owner length (1 byte, 1..64), owner id, renew hash (32),
 *              cancel hash (32), expiry (8, milliseconds since the epoch)
 * </pre>
 */
final class ShareRecordCodec {
  static final byte MAGIC0 = (byte) 0xCA;
  static final byte MAGIC1 = (byte) 0x52;
  static final byte VERSION = 1;
  private static final int HEADER = 21;

  /** The longest record: {@link ShareRecord#MAX_LEASES} leases of the longest owner id. */
  static final int MAX_LENGTH =
      HEADER + ShareRecord.MAX_LEASES * (1 + LeaseOwner.MAX_LENGTH + 2 * Lease.HASH_LENGTH + 8);

  private ShareRecordCodec() {}

  static byte[] encode(ShareRecord record) {
    int length = HEADER;
    for (Lease lease : record.leases()) {
      length += 1 + lease.owner().length() + 2 * Lease.HASH_LENGTH + 8;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    out.put(MAGIC0).put(MAGIC1).put(VERSION);
    out.putLong(record.size()).putLong(record.seqnum());
    out.putShort((short) record.leases().size());
    for (Lease lease : record.leases()) {
      byte[] owner = lease.owner().toBytes();
      out.put((byte) owner.length).put(owner);
      out.put(lease.renewHash()).put(lease.cancelHash());
      out.putLong(lease.expiry().toEpochMilli());
    }
    return out.array();
  }

  /** @throws IllegalArgumentException naming what is malformed */
  static ShareRecord decode(byte[] bytes) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.get() != MAGIC0 || in.get() != MAGIC1) {
        throw new IllegalArgumentException("share record has a bad magic");
      }
      byte version = in.get();
      if (version != VERSION) {
        throw new IllegalArgumentException("share record version " + version + " is unknown");
      }
      long size = in.getLong();
      long seqnum = in.getLong();
      int count = Short.toUnsignedInt(in.getShort());
      if (count > ShareRecord.MAX_LEASES) {
        throw new IllegalArgumentException("share record claims " + count + " leases");
      }
      List<Lease> leases = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int ownerLength = Byte.toUnsignedInt(in.get());
        if (ownerLength == 0 || ownerLength > LeaseOwner.MAX_LENGTH) {
          throw new IllegalArgumentException("lease " + i + " has owner length " + ownerLength);
        }
        byte[] owner = new byte[ownerLength];
        in.get(owner);
        byte[] renew = new byte[Lease.HASH_LENGTH];
        in.get(renew);
        byte[] cancel = new byte[Lease.HASH_LENGTH];
        in.get(cancel);
        Instant expiry = Instant.ofEpochMilli(in.getLong());
        leases.add(new Lease(LeaseOwner.of(owner), renew, cancel, expiry));
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(
            "share record has " + in.remaining() + " trailing bytes");
      }
      return new ShareRecord(size, seqnum, leases);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("share record is truncated at " + bytes.length + " bytes");
    }
  }
}
