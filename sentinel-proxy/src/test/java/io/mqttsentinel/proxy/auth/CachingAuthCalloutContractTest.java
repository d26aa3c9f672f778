package io.mqttsentinel.proxy.auth;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.AuthDecision;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.auth.AuthCalloutContract;

/** The cache over an authority whose state the kit switches: verdicts, failures or silence. */
class CachingAuthCalloutContractTest extends AuthCalloutContract {
    private static final byte[] RIGHT = "right-pw".getBytes(StandardCharsets.UTF_8);

    private volatile Authority state = Authority.UP;

    @Override
    protected AuthCallout newCallout() {
        AuthCallout authority = request -> switch (state) {
            case UP -> CompletableFuture.completedFuture(Arrays.equals(request.password().orElse(null), RIGHT)
                    ? AuthDecision.allow("right password") : AuthDecision.badCredentials("wrong password"));
            case DOWN -> CompletableFuture.failedFuture(new AuthUnavailableException("authority down", null));
            case SILENT -> new CompletableFuture<>();
        };
        return CachingAuthCallout.builder(authority).build();
    }

    @Override
    protected void authority(Authority next) {
        state = next;
    }

    private static ConnectRequest request(byte[] password) {
        return ConnectRequest.of("dev-1", "user-1", password, new InetSocketAddress("127.0.0.1", 40000), null);
    }

    @Override
    protected ConnectRequest allowedRequest() {
        return request(RIGHT);
    }

    @Override
    protected ConnectRequest deniedRequest() {
        return request("wrong-pw".getBytes(StandardCharsets.UTF_8));
    }
}
