package io.mqttsentinel.broker;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import io.mqttsentinel.testkit.MqttPackets;


/**
 * A byte-level MQTT 3.1.1 client for the cases a well-behaved client library cannot produce: a connection
 * dropped without DISCONNECT, malformed packets, and exact acknowledgement order. It only moves bytes; the
 * packets come from {@link MqttPackets}. Reads time out after five seconds.
 */
final class RawMqttClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** One packet read back: its first byte and its body. */
    record Packet(int header, byte[] body) {
        int type() {
            return header >>> 4;
        }

        int packetId() {
            return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        }
    }

    private RawMqttClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static RawMqttClient open(int port) throws IOException {
        return new RawMqttClient(port);
    }

    /**
     * Sends CONNECT and reads the CONNACK.
     *
     * @return the CONNACK
     */
    static RawMqttClient connect(int port, String clientId, boolean clean, String willTopic, byte[] willPayload,
                                 int willQos) throws IOException {
        RawMqttClient c = new RawMqttClient(port);
        MqttPackets.Connect connect = MqttPackets.connectBuilder(clientId).cleanSession(clean);
        if (willTopic != null) {
            connect.will(willTopic, willPayload, willQos, false);
        }
        c.send(connect.build());
        Packet connack = c.read();
        if (connack.type() != 2 || connack.body()[1] != 0) {
            throw new IOException("CONNACK refused: " + java.util.Arrays.toString(connack.body()));
        }
        return c;
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Packet read() throws IOException {
        io.mqttsentinel.testkit.MqttPackets.Read r = io.mqttsentinel.testkit.MqttPackets.read(in);
        return new Packet(r.firstByte(), r.body());
    }

    /** @return {@code true} when the broker closed the connection within the read timeout */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketException e) {
            return true; // reset by the peer
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Drops the TCP connection without DISCONNECT. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
