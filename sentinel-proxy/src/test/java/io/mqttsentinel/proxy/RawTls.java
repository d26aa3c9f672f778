package io.mqttsentinel.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS (or plain) socket that writes raw MQTT bytes, for the malformed-packet tests; the packets come from
 * {@link io.mqttsentinel.testkit.MqttPackets} or, when no writer can make them, from {@link #bytes}.
 */
final class RawTls implements AutoCloseable {
    private final Socket socket;

    private RawTls(Socket socket) {
        this.socket = socket;
    }

    static RawTls connect(int port, TrustManagerFactory trust) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trust.getTrustManagers(), new SecureRandom());
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new RawTls(s);
    }

    /**
     * Connects from {@code localAddress}, writes {@code prefix} in the clear (a PROXY header), then speaks TLS on
     * the same connection, with a client certificate when {@code keys} is given.
     */
    static RawTls connectWithPrefix(int port, String localAddress, byte[] prefix, TrustManagerFactory trust,
                                    javax.net.ssl.KeyManagerFactory keys) throws Exception {
        Socket plain = new Socket();
        plain.bind(new java.net.InetSocketAddress(localAddress, 0));
        plain.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
        plain.setSoTimeout(10_000);
        plain.getOutputStream().write(prefix);
        plain.getOutputStream().flush();
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new RawTls(s);
    }

    static RawTls plain(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return new RawTls(s);
    }

    RawTls write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads until the peer closes (or 10 s pass, which fails). @return everything read */
    byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the proxy did not close the connection; read so far: " + out.size() + " bytes");
        } catch (IOException e) {
            // reset by peer counts as closed
        }
        return out.toByteArray();
    }

    /** Reads exactly n bytes. */
    byte[] read(int n) throws IOException {
        byte[] b = socket.getInputStream().readNBytes(n);
        if (b.length < n) {
            throw new AssertionError("connection closed after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
