package org.cairnfs.fs.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port that accepts every connection and keeps it open without a byte, so a TLS
 * handshake never ends: a server announced where nothing answers (an address that drops
 * packets, a fake).
 */
public final class SilentListener implements AutoCloseable {
  private final ServerSocket socket;
  private final List<Socket> held = new ArrayList<>();

  private SilentListener(ServerSocket socket) {
    this.socket = socket;
  }

  public static SilentListener open() throws IOException {
    SilentListener l = new SilentListener(
        new ServerSocket(0, 1000, InetAddress.getLoopbackAddress()));
    Thread t = new Thread(l::acceptAll, "silent-listener");
    t.setDaemon(true);
    t.start();
    return l;
  }

  private void acceptAll() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        synchronized (held) {
          held.add(s);
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    socket.close();
    synchronized (held) {
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
