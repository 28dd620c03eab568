package org.cairnfs.fs.dirs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PageSecret;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableDecoder;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/**
 * Pages as real immutable files (the directory's convergent page encoder, erasure-coded,
 * hashed) whose shares stay in memory; counts what is written and read.
 */
final class MemoryPageStore implements PageStore {
  private static final EncodingParams PARAMS =
      EncodingParams.builder().k(2).happy(3).n(3).segmentSize(64 * 1024).build();

  private final ImmutableEncoder encoder;
  private final Map<StorageIndex, byte[][]> shares = new HashMap<>();
  int puts;
  int gets;
  long bytesPut;
  int prefetches;
  /** The pages of each prefetch, in order. */
  final List<List<PageRef.Stored>> prefetched = new ArrayList<>();

  MemoryPageStore(DirectoryReadCap directory) {
    this.encoder = PageSecret.encoder(directory, PARAMS);
  }

  @Override
  public PageRef put(byte[] page) throws IOException {
    ByteArrayShare[] out = new ByteArrayShare[PARAMS.n()];
    Cap cap = encoder.encode(PlaintextSource.of(page),
        (i, length) -> out[i] = new ByteArrayShare(length));
    puts++;
    bytesPut += page.length;
    if (cap instanceof ImmutableReadCap c) {
      byte[][] bytes = new byte[out.length][];
      for (int i = 0; i < out.length; i++) {
        bytes[i] = out[i].bytes();
      }
      shares.put(c.index(), bytes);
    }
    return PageRef.of(cap);
  }

  @Override
  public byte[] get(PageRef.Stored page) throws IOException {
    byte[][] held = shares.get(page.cap().index());
    if (held == null) {
      throw new IOException("no page stored at " + page.cap().index());
    }
    gets++;
    Map<Integer, ShareSource> sources = new TreeMap<>();
    for (int i = 0; i < held.length; i++) {
      sources.put(i, ByteArrayShare.wrap(held[i]));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImmutableDecoder.of(page.cap(), sources).decode(out);
    return out.toByteArray();
  }

  @Override
  public void prefetch(List<PageRef.Stored> pages) {
    prefetches++;
    prefetched.add(List.copyOf(pages));
  }

  /** Replaces a stored page's shares (a hostile server or writer). */
  void overwrite(PageRef.Stored page, byte[][] newShares) {
    shares.put(page.cap().index(), newShares);
  }

  byte[][] shares(PageRef.Stored page) {
    return shares.get(page.cap().index());
  }

  void resetCounts() {
    puts = 0;
    gets = 0;
    bytesPut = 0;
  }
}
