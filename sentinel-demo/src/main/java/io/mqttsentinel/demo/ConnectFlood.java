package io.mqttsentinel.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import javax.net.ssl.SSLSocket;

/**
 * A CONNECT flood from one address: {@value #RATE} new TLS connections a second, each sending an anonymous
 * CONNECT, far above what one device ever needs. The proxy refuses them in layers: once the CONNECT tier's burst
 * is spent (the demo sets 50; the default is 500) it admits 10 a second from the address and answers the rest
 * with CONNACK 0x05; what it admits meets the auth callout, which lets no anonymous device in (0x05; the verdict is
 * cached, so the flood costs the auth endpoint nothing). Above 100 a second per address, the TLS handshake limit
 * and the connection-rate anomaly would close connections even earlier. A CONNACK 0x00 would be got through.
 */
final class ConnectFlood extends SocketAttacker {
    /** Connection attempts per second. */
    static final int RATE = 40;
    /** Enough connections under way that a slow handshake does not slow the flood. */
    private static final int THREADS = 4;
    private static final int TIMEOUT_MS = 10_000;

    private final ProxyAccess proxy;
    private final byte[] connect;

    /**
     * @param source its source address
     * @param proxy  how to reach the proxy
     */
    ConnectFlood(InetAddress source, ProxyAccess proxy) {
        super(AttackKind.CONNECT_FLOOD, "attacker-" + AttackKind.CONNECT_FLOOD.label(), source, RATE, THREADS);
        this.proxy = proxy;
        this.connect = MqttBytes.anonymousConnect(clientId());
    }

    @Override
    String describe() {
        return "anonymous CONNECTs over new TLS connections, " + RATE + "/s from one address";
    }

    @Override
    void attempt() {
        attempted();
        try (SSLSocket s = proxy.tlsSocket(source(), TIMEOUT_MS)) {
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(connect);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] connack = in.readNBytes(4); // 0x20, remaining length 2, session present, return code
            if (connack.length == 4 && connack[0] == 0x20 && connack[3] == 0) {
                gotThrough();
            }
        } catch (IOException e) {
            // refused: closed before or during the handshake, or after the CONNACK
        }
    }
}
