package io.mqttsentinel.examples.embed;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;

/**
 * An {@link AuthCallout} of an integrator's own: each device's password is a token, the hex HMAC-SHA256 of its
 * client id under a fleet secret, so the gateway authenticates without any lookup. No I/O: the stage is
 * complete when returned, which is allowed (the proxy never blocks on it either way).
 */
public final class HmacTokenAuthCallout implements AuthCallout {
    private final SecretKeySpec key;

    /** @param secret the fleet secret, at least 32 bytes */
    public HmacTokenAuthCallout(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("secret must be at least 32 bytes, was " + secret.length);
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /**
     * @param clientId a device's client id
     * @return the token that device must present as its password
     */
    public String tokenFor(String clientId) {
        return HexFormat.of().formatHex(mac(clientId));
    }

    @Override
    public CompletionStage<AuthDecision> authenticate(ConnectRequest request) {
        byte[] presented = request.password().orElse(new byte[0]);
        byte[] expected = tokenFor(request.clientId()).getBytes(StandardCharsets.US_ASCII);
        boolean ok = MessageDigest.isEqual(expected, presented);
        return CompletableFuture.completedFuture(ok ? AuthDecision.allow("hmac token")
                : AuthDecision.badCredentials("token does not match the client id"));
    }

    private byte[] mac(String clientId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(clientId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
