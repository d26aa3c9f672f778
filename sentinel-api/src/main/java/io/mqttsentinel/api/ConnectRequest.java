package io.mqttsentinel.api;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The credentials and origin of one MQTT CONNECT, as handed to an {@link AuthCallout}.
 *
 * <p>Immutable: the password bytes are copied on the way in and on the way out, so neither the caller
 * nor the callout can change what the other sees. {@link #toString()} never prints the password.
 */
public final class ConnectRequest {
    private final String clientId;
    private final String username;
    private final byte[] password;
    private final InetSocketAddress peerAddress;
    private final String tlsSubject;

    private ConnectRequest(String clientId, String username, byte[] password, InetSocketAddress peerAddress,
                           String tlsSubject) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.username = username;
        this.password = password == null ? null : password.clone();
        this.peerAddress = Objects.requireNonNull(peerAddress, "peerAddress");
        this.tlsSubject = tlsSubject;
    }

    /**
     * @param clientId    the CONNECT's client id (may be empty only if the broker assigns one)
     * @param username    the user name, or {@code null} when the CONNECT carries none
     * @param password    the password bytes, or {@code null} when the CONNECT carries none
     * @param peerAddress the device's address as the proxy sees it
     * @param tlsSubject  the subject of the verified client certificate, or {@code null}
     * @return the request
     */
    public static ConnectRequest of(String clientId, String username, byte[] password, InetSocketAddress peerAddress,
                                    String tlsSubject) {
        return new ConnectRequest(clientId, username, password, peerAddress, tlsSubject);
    }

    /** @return the client id of the CONNECT */
    public String clientId() {
        return clientId;
    }

    /** @return the user name, if the CONNECT carried one */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** @return a copy of the password bytes, if the CONNECT carried a password */
    public Optional<byte[]> password() {
        return password == null ? Optional.empty() : Optional.of(password.clone());
    }

    /** @return the device's address as the proxy sees it */
    public InetSocketAddress peerAddress() {
        return peerAddress;
    }

    /** @return the subject of the verified TLS client certificate, if the device presented one */
    public Optional<String> tlsSubject() {
        return Optional.ofNullable(tlsSubject);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectRequest)) {
            return false;
        }
        ConnectRequest that = (ConnectRequest) o;
        return clientId.equals(that.clientId) && Objects.equals(username, that.username)
                && Arrays.equals(password, that.password) && peerAddress.equals(that.peerAddress)
                && Objects.equals(tlsSubject, that.tlsSubject);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clientId, username, Arrays.hashCode(password), peerAddress, tlsSubject);
    }

    @Override
    public String toString() {
        return "ConnectRequest[clientId=" + clientId + ", username=" + username
                + ", password=" + (password == null ? "none" : "****") + ", peer=" + peerAddress
                + (tlsSubject == null ? "" : ", tlsSubject=" + tlsSubject) + "]";
    }
}
