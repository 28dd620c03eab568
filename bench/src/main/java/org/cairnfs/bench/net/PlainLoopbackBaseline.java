package org.cairnfs.bench.net;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling of loopback without TLS or Cairn framing: N plain TCP connections, each sending
 * then receiving the same bytes in 1 MiB writes to a sink/source server (blocking sockets, a
 * thread per connection on each side).
 *
 * <p>Per connection: the client sends a signed 8-byte count; a positive count is followed by
 * that many bytes, which the server drops and then acknowledges with one byte; a negative count
 * asks the server to send that many bytes.
 */
final class PlainLoopbackBaseline implements AutoCloseable {
  private final ServerSocket listener;
  private final ExecutorService threads;
  private final byte[] block;

  PlainLoopbackBaseline(int connections, byte[] block) throws IOException {
    this.block = block.clone();
    this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.threads = Executors.newFixedThreadPool(2 * connections + 1, r -> {
      Thread t = new Thread(r, "plain-loopback-server");
      t.setDaemon(true);
      return t;
    });
    threads.submit(this::acceptLoop);
  }

  record Result(Rate write, Rate read) {}

  /** Each of {@code connections} sends {@code mib} MiB concurrently, then receives as many. */
  Result run(int connections, long mib) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < connections; i++) {
        Socket s = new Socket(listener.getInetAddress(), listener.getLocalPort());
        s.setTcpNoDelay(true);
        sockets.add(s);
      }
      long bytes = mib << 20;
      Rate write = phase(sockets, bytes, s -> {
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeLong(bytes);
        for (long i = 0; i < mib; i++) {
          out.write(block);
        }
        out.flush();
        if (s.getInputStream().read() != 1) {
          throw new IOException("plain loopback server did not acknowledge");
        }
        return null;
      });
      Rate read = phase(sockets, bytes, s -> {
        new DataOutputStream(s.getOutputStream()).writeLong(-bytes);
        drain(s.getInputStream(), bytes);
        return null;
      });
      return new Result(write, read);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  private interface SocketTask {
    Void run(Socket s) throws IOException;
  }

  private Rate phase(List<Socket> sockets, long bytesEach, SocketTask task) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(sockets.size(),
        r -> new Thread(r, "plain-loopback-client"));
    try {
      CpuSnapshot cpu0 = CpuSnapshot.take();
      long t0 = System.nanoTime();
      List<Future<Void>> done = new ArrayList<>();
      for (Socket s : sockets) {
        Callable<Void> c = () -> task.run(s);
        done.add(clients.submit(c));
      }
      for (Future<Void> f : done) {
        f.get();
      }
      long t1 = System.nanoTime();
      return new Rate(bytesEach * sockets.size(), t1 - t0, CpuSnapshot.take().since(cpu0));
    } finally {
      clients.shutdownNow();
    }
  }

  private Void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket s = listener.accept();
        s.setTcpNoDelay(true);
        threads.submit(() -> serve(s));
      } catch (IOException closed) {
        return null;
      }
    }
    return null;
  }

  private Void serve(Socket s) {
    try (s) {
      DataInputStream in = new DataInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        long count = in.readLong();
        if (count >= 0) {
          drain(in, count);
          out.write(1);
          out.flush();
        } else {
          for (long left = -count; left > 0; left -= block.length) {
            out.write(block, 0, (int) Math.min(block.length, left));
          }
          out.flush();
        }
      }
    } catch (IOException endOfConnection) {
      return null;
    }
  }

  private static void drain(InputStream in, long count) throws IOException {
    byte[] buf = new byte[1 << 20];
    long left = count;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("connection ended with " + left + " bytes still expected");
      }
      left -= n;
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    threads.shutdownNow();
  }
}
