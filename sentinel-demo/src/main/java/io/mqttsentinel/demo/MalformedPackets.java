package io.mqttsentinel.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;

/**
 * Broken MQTT, {@value #PER_SECOND} connections a second, cycling through the kinds of {@link MqttBytes#malformed()}:
 * a wrong protocol name or level, reserved flags, a first packet that is not CONNECT, a reserved packet type, a
 * remaining length of five bytes, a packet announced far above the size limit, and MQTT in clear text to the
 * TLS port. The proxy's strict codec (or its TLS layer) closes each connection before it allocates anything
 * large, and counts the reason. A connection still open after 10 s is got through.
 */
final class MalformedPackets extends SocketAttacker {
    static final int PER_SECOND = 4;
    /** Long enough that a loaded machine's slow close is not mistaken for a connection the proxy kept. */
    private static final int TIMEOUT_MS = 10_000;

    private final ProxyAccess proxy;
    private final List<MqttBytes.Malformed> kinds = MqttBytes.malformed();
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param source its source address
     * @param proxy  how to reach the proxy
     */
    MalformedPackets(InetAddress source, ProxyAccess proxy) {
        super(AttackKind.MALFORMED, "attacker-" + AttackKind.MALFORMED.label(), source, PER_SECOND, 1);
        this.proxy = proxy;
    }

    @Override
    String describe() {
        return kinds.size() + " kinds of broken MQTT, one connection each, " + PER_SECOND + "/s";
    }

    @Override
    void attempt() {
        MqttBytes.Malformed m = kinds.get(next.getAndIncrement() % kinds.size());
        attempted();
        try (Socket s = m.overTls() ? proxy.tlsSocket(source(), TIMEOUT_MS) : proxy.plainSocket(source(), TIMEOUT_MS)) {
            if (s instanceof SSLSocket) {
                ((SSLSocket) s).startHandshake();
            }
            OutputStream out = s.getOutputStream();
            out.write(m.bytes());
            out.flush();
            if (!ProxyAccess.closedByPeer(s)) {
                gotThrough();
            }
        } catch (IOException e) {
            // closed while the bytes were on their way
        }
    }
}
