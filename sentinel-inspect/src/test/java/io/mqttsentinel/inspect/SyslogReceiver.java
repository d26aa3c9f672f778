package io.mqttsentinel.inspect;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test syslog receiver: reads RFC 6587 octet-counted frames from TCP or TLS connections. */
final class SyslogReceiver implements AutoCloseable {
    private final ServerSocket server;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    SyslogReceiver(int port, SSLContext tls) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        server = tls == null ? new ServerSocket(port, 50, loopback)
                : (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(port, 50, loopback);
        acceptor = new Thread(this::acceptLoop, "syslog-receiver");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** @return the next message (frame without its length), failing after 10 s */
    String next() throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no syslog message within 10 s");
        }
        return m;
    }

    /** @return the next message if one arrives within {@code wait}, else null */
    String poll(Duration wait) throws InterruptedException {
        return messages.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return the messages received so far, in arrival order; they are taken off the receiver */
    List<String> take() {
        List<String> taken = new ArrayList<>();
        messages.drainTo(taken);
        return taken;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread reader = new Thread(() -> read(s), "syslog-connection");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream())) {
            while (true) {
                int length = 0;
                int c;
                while ((c = in.read()) != ' ') {
                    if (c < '0' || c > '9') {
                        if (c < 0) {
                            return;
                        }
                        throw new IOException("bad frame length byte " + c);
                    }
                    length = length * 10 + (c - '0');
                }
                byte[] msg = new byte[length];
                in.readFully(msg);
                messages.add(new String(msg, StandardCharsets.UTF_8));
            }
        } catch (EOFException e) {
            // connection closed mid-frame
        } catch (IOException e) {
            messages.add("ERROR " + e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
