package org.cairnfs.fs.mutable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.mutable.MutableFileReader;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.caps.mutable.SignedHeader;
import org.cairnfs.caps.mutable.VersionId;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;

/**
 * Reads the version a {@link SlotMap} selects (or one the caller picked from it): fetches the
 * rest of k of its shares (often none: the map already holds small shares whole), all in
 * parallel, and decodes them through the caps
 * {@link MutableFileReader}, which verifies signature, hash chain and every block. If k shares
 * are not enough (a share damaged, or replaced by a newer version between the two reads), every
 * other share of the version is fetched and decoding is tried once more.
 */
final class SlotReader {
  private SlotReader() {}

  static MutableVersion read(SlotMap map, MutableReadCap cap, long maxSize, Duration timeout)
      throws IOException {
    var selection = map.selection();
    if (selection.best().isEmpty()) {
      if (map.found.isEmpty()) {
        throw new SlotUnreadableException(map.index, "no share found on the "
            + map.reachable.size() + " servers that answered (of " + map.ring.size() + " known)"
            + problems(map), !map.reachable.isEmpty());
      }
      throw new SlotUnreadableException(map.index, "no version has enough shares: seen "
          + map.found.stream().map(f -> f.version() + " share " + f.number())
              .collect(Collectors.joining(", ")) + problems(map));
    }
    return read(map, cap, selection.best().get(), maxSize, timeout);
  }

  /** Reads {@code version}, one the map found recoverable. */
  static MutableVersion read(SlotMap map, MutableReadCap cap, VersionId version, long maxSize,
      Duration timeout) throws IOException {
    List<SlotMap.Found> candidates = map.of(version);
    SignedHeader header = candidates.get(0).share().header();
    if (header.dataLength() > maxSize) {
      throw new SlotUnreadableException(map.index, "version " + version + " holds "
          + header.dataLength() + " bytes, more than the " + maxSize + " this client reads");
    }
    int k = header.k();
    Set<Integer> numbers = new HashSet<>();
    List<SlotMap.Found> first = new ArrayList<>();
    for (SlotMap.Found f : candidates) {
      if (first.size() < k && numbers.add(f.number())) {
        first.add(f);
      }
    }
    try {
      return decode(cap, version, whole(map, first, timeout));
    } catch (MutableIntegrityException e) {
      try {
        return decode(cap, version, whole(map, candidates, timeout));
      } catch (MutableIntegrityException again) {
        throw new SlotUnreadableException(map.index, "version " + version
            + " cannot be rebuilt: " + again.getMessage());
      }
    }
  }

  private static MutableVersion decode(MutableReadCap cap, VersionId version,
      List<byte[]> shares) throws IOException {
    List<ShareSource> sources = new ArrayList<>();
    for (byte[] share : shares) {
      sources.add(ByteArrayShare.wrap(share));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MutableFileReader.read(cap, version, sources, out);
    return new MutableVersion(out.toByteArray(), version);
  }

  /** The whole bytes of each share, fetching what the map does not hold yet (in parallel). */
  private static List<byte[]> whole(SlotMap map, List<SlotMap.Found> shares, Duration timeout)
      throws IOException {
    List<List<CompletableFuture<List<Response.SlotShare>>>> pending = new ArrayList<>();
    for (SlotMap.Found f : shares) {
      List<CompletableFuture<List<Response.SlotShare>>> pieces = new ArrayList<>();
      for (long at = f.fetched().length; at < f.share().shareLength(); at += WireLimits.MAX_CHUNK) {
        int length = (int) Math.min(WireLimits.MAX_CHUNK, f.share().shareLength() - at);
        pieces.add(f.client().readSlot(map.index, Set.of(f.number()), at, length));
      }
      pending.add(pieces);
    }
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < shares.size(); i++) {
      SlotMap.Found f = shares.get(i);
      byte[] all = Arrays.copyOf(f.fetched(), (int) f.share().shareLength());
      int at = f.fetched().length;
      try {
        for (CompletableFuture<List<Response.SlotShare>> piece : pending.get(i)) {
          List<Response.SlotShare> got = Await.get(piece, timeout, "reading slot share");
          byte[] data = got.isEmpty() ? new byte[0] : got.get(0).data();
          System.arraycopy(data, 0, all, at, Math.min(data.length, all.length - at));
          at += data.length;
        }
      } catch (IOException e) {
        continue; // the decoder works with the shares that did arrive
      }
      if (at >= all.length) {
        out.add(all);
      }
    }
    return out;
  }

  static String problems(SlotMap map) {
    if (map.problems.isEmpty()) {
      return "";
    }
    return "; unreachable: " + map.problems.entrySet().stream()
        .map(e -> e.getKey().shortForm() + " (" + e.getValue() + ")")
        .collect(Collectors.joining(", "));
  }
}
