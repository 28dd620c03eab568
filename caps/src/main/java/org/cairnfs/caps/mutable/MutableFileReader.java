package org.cairnfs.caps.mutable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.Cipher;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.MutableVerifyCap;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/**
 * Recovers (read cap) or checks (verify cap) one version of a mutable file from its shares.
 *
 * <p>Every byte used is verified before use: the share's key against the cap's fingerprint, the
 * signature over the header, the share hash chain against the signed root, and every block
 * against its share's block tree. A share that fails anywhere is dropped and the next one
 * tried; if fewer than k remain for some segment, a {@link MutableIntegrityException} names the
 * dropped sources. Plaintext is written segment by segment, so on failure the output holds a
 * correct prefix, never a wrong byte. Shares numbered below k are preferred: with all of them
 * good no Reed-Solomon decoding is done.
 *
 * <p>Cost: per segment k block reads plus k * log2(segments) tree-node reads of 32 bytes;
 * memory: the blocks of the shares in use, sized from the real block length (the n blocks of
 * one segment when data must be rebuilt, at most {@link SignedHeader#MAX_STRIPE} bytes), whatever
 * the file size and whatever the signed segment size.
 */
public final class MutableFileReader {
  private MutableFileReader() {}

  /** The result of checking shares without decrypting. */
  public record VerifyReport(int k, SortedSet<Integer> goodShares,
      Map<Integer, String> badSources) {
    public VerifyReport {
      goodShares = new TreeSet<>(goodShares);
      badSources = new TreeMap<>(badSources);
    }

    /** Whether the good shares are enough to rebuild the version. */
    public boolean recoverable() {
      return goodShares.size() >= k;
    }
  }

  /** Decrypts {@code version} from shares held in memory. */
  public static byte[] read(MutableReadCap cap, VersionId version, List<byte[]> shares) {
    List<ShareSource> sources = new ArrayList<>();
    for (byte[] share : shares) {
      sources.add(ByteArrayShare.wrap(share));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      read(cap, version, sources, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decrypts {@code version} from {@code shares} into {@code out}.
   *
   * @throws MutableIntegrityException if fewer than k good shares remain for some segment
   * @throws IOException only if {@code out} fails (source failures drop the share)
   */
  public static void read(MutableReadCap cap, VersionId version,
      List<? extends ShareSource> shares, OutputStream out) throws IOException {
    Map<Integer, String> bad = new HashMap<>();
    List<ShareCandidate> alive = open(cap.fingerprint(), version, shares, bad);
    SignedHeader header = alive.get(0).header();
    ShareLayout layout = alive.get(0).layout();
    int k = header.k();
    int n = header.n();
    long distinct = alive.stream().mapToInt(ShareCandidate::shareNumber).distinct().count();
    if (distinct < k) {
      throw new MutableIntegrityException("only " + distinct + " of the " + k
          + " needed shares of " + version + " are valid", bad);
    }
    ErasureCodec codec = ErasureCodec.of(k, n);
    // Buffers follow the real block length (the first segment's, the largest), never n times
    // the signed segment size: a small version with huge parameters costs what it holds.
    int maxBlock = layout.blockSize(0);
    byte[][] blocks = new byte[n][];
    Cipher cipher = AesCtr.at(
        TaggedHash.of(Tag.MUTABLE_DATA_KEY, cap.readKey(), header.salt()), 0);
    for (int j = 0; j < layout.segments(); j++) {
      boolean[] present = new boolean[n];
      int got = 0;
      for (Iterator<ShareCandidate> it = alive.iterator(); it.hasNext() && got < k; ) {
        ShareCandidate c = it.next();
        if (present[c.shareNumber()]) {
          continue;
        }
        try {
          c.readVerifiedBlock(j, buffer(blocks, c.shareNumber(), maxBlock));
          present[c.shareNumber()] = true;
          got++;
        } catch (IOException | MutableIntegrityException e) {
          bad.put(c.sourceIndex(), reason(c, e));
          it.remove();
        }
      }
      if (got < k) {
        throw new MutableIntegrityException("segment " + j + " of " + version + ": only "
            + got + " of the " + k + " needed shares verified", bad);
      }
      int blockSize = layout.blockSize(j);
      if (!allData(present, k)) {
        for (int i = 0; i < n; i++) {
          buffer(blocks, i, maxBlock);
        }
        codec.decode(blocks, present, 0, blockSize);
      }
      int remaining = layout.segmentLength(j);
      try {
        for (int d = 0; remaining > 0; d++) {
          int take = Math.min(blockSize, remaining);
          cipher.update(blocks[d], 0, take, blocks[d], 0);
          out.write(blocks[d], 0, take);
          remaining -= take;
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-CTR failed", e);
      }
    }
  }

  private static byte[] buffer(byte[][] blocks, int i, int size) {
    if (blocks[i] == null) {
      blocks[i] = new byte[size];
    }
    return blocks[i];
  }

  private static boolean allData(boolean[] present, int k) {
    for (int d = 0; d < k; d++) {
      if (!present[d]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks every block of every share against the signed version without decrypting, as a
   * verify-cap holder (a checker or repairer) does.
   *
   * @throws MutableIntegrityException if no share of {@code version} is valid at all
   */
  public static VerifyReport verify(MutableVerifyCap cap, VersionId version,
      List<? extends ShareSource> shares) {
    Map<Integer, String> bad = new HashMap<>();
    List<ShareCandidate> alive = open(cap.fingerprint(), version, shares, bad);
    SortedSet<Integer> good = new TreeSet<>();
    byte[] block = new byte[alive.get(0).layout().blockSize(0)];
    for (ShareCandidate c : alive) {
      try {
        for (int j = 0; j < c.layout().segments(); j++) {
          c.readVerifiedBlock(j, block);
        }
        good.add(c.shareNumber());
      } catch (IOException | MutableIntegrityException e) {
        bad.put(c.sourceIndex(), reason(c, e));
      }
    }
    return new VerifyReport(alive.get(0).header().k(), good, bad);
  }

  /** Authenticated candidates of {@code version} with one header, ordered by share number. */
  private static List<ShareCandidate> open(byte[] fingerprint, VersionId version,
      List<? extends ShareSource> shares, Map<Integer, String> bad) {
    List<ShareCandidate> alive = new ArrayList<>();
    for (int i = 0; i < shares.size(); i++) {
      try {
        ShareCandidate c = ShareCandidate.open(i, shares.get(i), fingerprint, version);
        if (!alive.isEmpty() && !alive.get(0).header().equals(c.header())) {
          bad.put(i, "share " + c.shareNumber() + ": header differs from share "
              + alive.get(0).shareNumber() + " of the same version");
          continue;
        }
        alive.add(c);
      } catch (IOException | MutableShareFormatException | MutableIntegrityException e) {
        bad.put(i, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    if (alive.isEmpty()) {
      throw new MutableIntegrityException("no valid share of " + version, bad);
    }
    alive.sort(Comparator.comparingInt(ShareCandidate::shareNumber)
        .thenComparingInt(ShareCandidate::sourceIndex));
    return alive;
  }

  private static String reason(ShareCandidate c, Exception e) {
    return e instanceof MutableIntegrityException ? e.getMessage()
        : "share " + c.shareNumber() + ": " + e;
  }
}
