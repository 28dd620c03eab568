package org.cairnfs.bench.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.mutable.MutableFileWriter;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.caps.mutable.MutableParams;
import org.cairnfs.caps.mutable.SlotWriteCheck;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.FileChannelShare;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a storage server's keyless slot write check costs per share (issue 10, finding 1): one
 * real mutable share of {@code shareKib} KiB (3-of-10, so about three times that of plaintext),
 * checked whole as {@code SlotWriter} does after a write. Single thread.
 *
 * <ul>
 *   <li>{@code front}: the early check of the first 239 bytes (one Ed25519 verification), the
 *       cost of the old prefix-only rule;
 *   <li>{@code wholeInMemory}: the whole-share rule on a share in memory (the WRITE_SLOT_SHARE
 *       path that holds the bytes);
 *   <li>{@code wholeFromFile}: the same reading the staged file back through a FileChannel, as
 *       the chunked path does (page cache, no disk);
 *   <li>{@code sha256Baseline}: one tagged SHA-256 over the share, the floor the content check
 *       cannot beat.
 * </ul>
 *
 * Cost per MiB of slot write = score (ms/op) / (shareKib / 1024). {@code segmentSize} 131070 is
 * the default; 3072 shows a tree-heavy share (one leaf per KiB of block). Run:
 * {@code bench/run-slot-check.sh} (timed, quiet machine) or, as a smoke run,
 * {@code bench/run-slot-check.sh -f 1 -wi 1 -i 1 -w 200ms -r 200ms -p shareKib=64}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SlotWriteCheckBenchmark {
  @Param({"1024", "8192"})
  public int shareKib;

  @Param({"131070", "3072"})
  public int segmentSize;

  StorageIndex slot;
  byte[] share;
  byte[] front;
  Path file;
  FileChannel channel;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    SecureRandom random = new SecureRandom();
    MutableKeys keys = MutableKeys.generate(random);
    slot = keys.storageIndex();
    byte[] plaintext = new byte[3 * shareKib * 1024];
    new SplittableRandom(7).nextBytes(plaintext);
    share = MutableFileWriter.write(keys, 2, plaintext, new MutableParams(3, 10, segmentSize),
        random)[0];
    front = java.util.Arrays.copyOf(share, SlotWriteCheck.FRONT_LENGTH);
    file = Files.createTempFile("slot-check", ".new");
    Files.write(file, share);
    channel = FileChannel.open(file, StandardOpenOption.READ);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }

  @Benchmark
  public long front() {
    return SlotWriteCheck.checkFront(slot, 0, share.length, front, OptionalLong.of(1)).seqnum();
  }

  @Benchmark
  public long wholeInMemory() throws IOException {
    return SlotWriteCheck.check(slot, 0, share.length, ByteArrayShare.wrap(share),
        OptionalLong.of(1)).seqnum();
  }

  @Benchmark
  public long wholeFromFile() throws IOException {
    return SlotWriteCheck.check(slot, 0, share.length, new FileChannelShare(channel),
        OptionalLong.of(1)).seqnum();
  }

  @Benchmark
  public byte[] sha256Baseline() {
    return TaggedHash.of(Tag.BLOCK, share);
  }
}
