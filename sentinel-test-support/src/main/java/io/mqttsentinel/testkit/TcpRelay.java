package io.mqttsentinel.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a server (a broker), that a test can cut as a crashed process or a dead network
 * would: {@link #cut()} resets every relayed connection (RST, no FIN: no MQTT DISCONNECT either) and refuses new ones;
 * {@link #reset()} resets them and goes on relaying new ones (a network blip).
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    /**
     * @param targetPort the port on 127.0.0.1 to relay to
     * @throws IOException when no port can be bound
     */
    public TcpRelay(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-relay");
        t.setDaemon(true);
        t.start();
    }

    /** @return the relay's own port */
    public int port() {
        return server.getLocalPort();
    }

    /** @return how many connections it has relayed so far */
    public int accepted() {
        return accepted.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out;
                try {
                    out = new Socket(InetAddress.getLoopbackAddress(), target);
                } catch (IOException e) {
                    closeQuietly(in); // the target is not there (yet): the client sees a closed connection
                    continue;
                }
                accepted.incrementAndGet();
                sockets.add(in);
                sockets.add(out);
                pipe(in, out);
                pipe(out, in);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                int n;
                while ((n = i.read(buf)) >= 0) {
                    o.write(buf, 0, n);
                }
            } catch (IOException e) {
                // cut or closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    /** Resets every relayed connection (RST, no FIN) and refuses new ones. */
    public void cut() {
        closeQuietly(server);
        reset();
    }

    /**
     * Resets every relayed connection (RST, no FIN) and goes on relaying new ones.
     *
     * @return how many connections were open and are reset
     */
    public int reset() {
        int n = 0;
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // closed already
            }
            n += s.isClosed() ? 0 : 1;
            closeQuietly(s);
        }
        sockets.clear();
        return n;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // best effort
        }
    }

    @Override
    public void close() {
        cut();
    }
}
