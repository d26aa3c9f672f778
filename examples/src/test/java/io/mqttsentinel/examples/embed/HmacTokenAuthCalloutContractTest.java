package io.mqttsentinel.examples.embed;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.auth.AuthCalloutContract;

/** A callout with no I/O: it has no outage, so the kit skips those checks. */
class HmacTokenAuthCalloutContractTest extends AuthCalloutContract {
    private final HmacTokenAuthCallout callout =
            new HmacTokenAuthCallout("a fleet secret of at least 32 bytes!".getBytes(StandardCharsets.UTF_8));

    @Override
    protected AuthCallout newCallout() {
        return callout;
    }

    private static ConnectRequest request(String clientId, String password) {
        return ConnectRequest.of(clientId, null, password.getBytes(StandardCharsets.US_ASCII),
                new InetSocketAddress("127.0.0.1", 40000), null);
    }

    @Override
    protected ConnectRequest allowedRequest() {
        return request("dev-1", callout.tokenFor("dev-1"));
    }

    @Override
    protected ConnectRequest deniedRequest() {
        return request("dev-1", callout.tokenFor("dev-2"));
    }
}
