package io.mqttsentinel.demo;

import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a simulated client reaches the proxy's MQTTS listener from a source address of its own: as an MQTT client
 * (hivemq-mqtt-client, for devices and the attackers that speak MQTT correctly) or as a raw TLS socket (for the
 * attackers that write bytes no client library would). Both trust the proxy's certificate only.
 */
final class ProxyAccess {
    private final InetSocketAddress proxy;
    private final TrustManagerFactory trust;
    private final SSLContext tls;

    private ProxyAccess(InetSocketAddress proxy, TrustManagerFactory trust, SSLContext tls) {
        this.proxy = proxy;
        this.trust = trust;
        this.tls = tls;
    }

    /**
     * @param port        the proxy's MQTTS port on 127.0.0.1
     * @param certificate the proxy's certificate (PEM), the only one trusted
     * @return the access
     * @throws IOException              when the certificate cannot be read
     * @throws GeneralSecurityException when it cannot be used as a trust anchor
     */
    static ProxyAccess of(int port, Path certificate) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(certificate)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("proxy-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return new ProxyAccess(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), tmf, tls);
    }

    /** @return the proxy's MQTTS listener */
    InetSocketAddress address() {
        return proxy;
    }

    /**
     * @param clientId the client id
     * @param source   the source address to connect from
     * @return a builder of an MQTT 3.1.1 client over TLS to the proxy; every client shares the library's event loops
     */
    Mqtt3ClientBuilder mqttClient(String clientId, InetAddress source) {
        return Mqtt3Client.builder().identifier(clientId)
                .transportConfig()
                .serverAddress(proxy)
                .localAddress(source)
                .sslConfig().trustManagerFactory(trust).applySslConfig()
                .mqttConnectTimeout(20, TimeUnit.SECONDS)
                .applyTransportConfig();
    }

    /**
     * @param source    the source address to connect from
     * @param timeoutMs connect and read timeout
     * @return a TLS socket to the proxy, handshake not yet done
     * @throws IOException when the connection fails
     */
    SSLSocket tlsSocket(InetAddress source, int timeoutMs) throws IOException {
        Socket plain = plainSocket(source, timeoutMs);
        try {
            SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, proxy.getHostString(), proxy.getPort(), true);
            s.setSoTimeout(timeoutMs);
            return s;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * @param source    the source address to connect from
     * @param timeoutMs connect and read timeout
     * @return a plain TCP socket to the proxy's TLS port
     * @throws IOException when the connection fails
     */
    Socket plainSocket(InetAddress source, int timeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(proxy, timeoutMs);
            s.setSoTimeout(timeoutMs);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Reads until the proxy closes the connection.
     *
     * @param s an open socket
     * @return {@code true} when the proxy closed it (end of stream or reset), {@code false} when it was still
     *         open at the socket's read timeout
     */
    static boolean closedByPeer(Socket s) {
        byte[] buf = new byte[256];
        try {
            InputStream in = s.getInputStream();
            while (in.read(buf) >= 0) {
                // a CONNACK before the close (0x01 for an unsupported protocol level): read on
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset, or the TLS layer saw the close
        }
    }
}
