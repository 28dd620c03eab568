package org.cairnfs.fs.grid;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;

/**
 * The grid as one object for the layers above (chunked files, mutable files, directories,
 * health, the frontends): connections to the storage servers, and immutable files stored on
 * them with placement and happiness, read back verified.
 *
 * <p>Every operation that touches the network is asynchronous; its blocking work (hashing,
 * encoding, waiting on servers) runs on the client's worker threads, never on a Netty event
 * loop. Costs, per operation (s servers known, F file bytes, S segments):
 * <ul>
 *   <li>{@link #upload}: one pass over F to hash (convergent only), one to encode; 2n
 *       connections and one GetShareNumbers each, one Allocate per chosen server; F x n/k bytes
 *       sent in chunks of {@link GridConfig#writeChunk()} with a window per share; one Close
 *       per share. Found shares cost two small reads each. A lost share costs one more encoding
 *       pass (CPU, and re-reading the source).
 *   <li>{@link #open} then a read: 2n GetShareNumbers in parallel (more only if fewer than k
 *       shares answer); per share used one request for its front and trees; then the blocks of
 *       the segments read, in requests of up to 1 MiB, k blocks per segment.
 * </ul>
 */
public final class GridClient implements AutoCloseable {
  private final ServerPool pool;
  private final ClientSecrets secrets;
  private final GridConfig config;
  private final ExecutorService workers;
  private final SecureRandom random = new SecureRandom();
  private final UploadLocks uploadLocks = new UploadLocks();
  private final Activity slotWrites = new Activity();
  private final Activity uploads = new Activity();

  private GridClient(ServerPool pool, ClientSecrets secrets, GridConfig config) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.config = Objects.requireNonNull(config, "config");
    AtomicInteger count = new AtomicInteger();
    this.workers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "cairn-grid-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A client over {@code pool}'s servers; closing the client does not close the pool. */
  public static GridClient create(ServerPool pool, ClientSecrets secrets, GridConfig config) {
    return new GridClient(pool, secrets, config);
  }

  public ServerPool servers() {
    return pool;
  }

  public GridConfig config() {
    return config;
  }

  public ClientSecrets secrets() {
    return secrets;
  }

  /** This client's slot writes (new versions of mutable files and directories). */
  public Activity slotWrites() {
    return slotWrites;
  }

  /** This client's immutable uploads (files, chunks, manifest nodes, directory pages). */
  public Activity uploads() {
    return uploads;
  }

  /** The worker threads, for layers above that need to run blocking grid work. */
  public ExecutorService workers() {
    return workers;
  }

  /** Uploads with this client's parameters and key choice ({@link GridConfig}). */
  public CompletableFuture<UploadResult> upload(PlaintextSource source) {
    return upload(source, config.params(), config.convergent());
  }

  /**
   * Uploads {@code source} as an immutable file: encrypted (convergent key under this node's
   * secret, or a random key), erasure-coded with {@code params}, and placed on at least
   * {@code params.happy()} distinct servers, or failed with {@link HappinessException} leaving
   * nothing visible. The source is read two or more times (hash, encode, re-encode after a lost
   * share) and must not change meanwhile; a change is detected and fails the upload.
   */
  public CompletableFuture<UploadResult> upload(PlaintextSource source, EncodingParams params,
      boolean convergent) {
    ImmutableEncoder encoder = convergent
        ? ImmutableEncoder.convergent(params, secrets.convergenceSecret())
        : ImmutableEncoder.randomKey(params, random);
    return upload(source, encoder);
  }

  /**
   * Uploads {@code source} with a caller's encoder (its parameters and key choice), e.g. a
   * directory's page encoder, whose convergence secret is the directory's and not this node's.
   * Placement and happiness as in {@link #upload(PlaintextSource, EncodingParams, boolean)}.
   */
  public CompletableFuture<UploadResult> upload(PlaintextSource source,
      ImmutableEncoder encoder) {
    ImmutableUpload upload = new ImmutableUpload(pool, secrets, config, encoder.params(),
        encoder, uploadLocks);
    return counted(() -> upload.run(source));
  }

  /**
   * Uploads {@code source} as an immutable file encrypted under exactly {@code key} (more than
   * 55 bytes; see {@link ImmutableEncoder#encodeUnderKey} for when a caller may choose the key:
   * manifest nodes, whose key follows from their read key). Placement and failures as {@link
   * #upload(PlaintextSource, EncodingParams, boolean)}.
   */
  public CompletableFuture<UploadResult> uploadUnderKey(PlaintextSource source,
      EncodingParams params, byte[] key) {
    ImmutableEncoder encoder = ImmutableEncoder.randomKey(params, random);
    ImmutableUpload upload = new ImmutableUpload(pool, secrets, config, params, encoder,
        uploadLocks);
    byte[] copy = key.clone();
    return counted(() -> upload.run(encoder.prepareUnderKey(source, copy)));
  }

  private interface UploadRun {
    UploadResult run() throws IOException;
  }

  /** Runs an upload on the workers, counted in {@link #uploads} from now to its end. */
  private CompletableFuture<UploadResult> counted(UploadRun run) {
    uploads.begin();
    try {
      return CompletableFuture.supplyAsync(() -> {
        try {
          return run.run();
        } catch (IOException e) {
          throw new CompletionException(e);
        } finally {
          uploads.end();
        }
      }, workers);
    } catch (RuntimeException e) {
      uploads.end(); // not submitted (workers stopped)
      throw e;
    }
  }

  /**
   * Opens an immutable file for reading; servers are asked for its shares at once, in the
   * background. Reads are verified; see {@link ImmutableFile}.
   */
  public ImmutableFile open(ImmutableReadCap cap) {
    return new ImmutableFile(cap, pool, config, workers);
  }

  /** Stops the worker threads (running transfers fail); the pool stays open. */
  @Override
  public void close() {
    workers.shutdownNow();
  }
}
