package org.cairnfs.caps.share;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A share in a file, written or read by position through a {@link FileChannel}. */
public final class FileChannelShare implements ShareSink, ShareSource {
  private final FileChannel channel;

  /** Wraps an open channel; {@link #close()} closes it. */
  public FileChannelShare(FileChannel channel) {
    this.channel = channel;
  }

  @Override
  public void write(long offset, byte[] data, int off, int len) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(data, off, len);
    long position = offset;
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(dst, off, len);
    long position = offset;
    while (buffer.hasRemaining()) {
      int got = channel.read(buffer, position);
      if (got < 0) {
        throw new EOFException("share file ends at " + position + ", needed "
            + (offset + len));
      }
      position += got;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
