package io.mqttsentinel.proxy.auth;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.mqttsentinel.api.AuthCallout;
import io.mqttsentinel.api.ConnectRequest;
import io.mqttsentinel.testkit.auth.AuthCalloutContract;
import org.junit.jupiter.api.io.TempDir;

/** The embedded authority is a local file: it has no outage, so the kit skips those checks. */
class FileAuthCalloutContractTest extends AuthCalloutContract {
    @TempDir
    Path dir;

    @Override
    protected AuthCallout newCallout() {
        Path file = dir.resolve("credentials");
        CredentialsFile.at(file).withIterations(1_000).add("user-1", "right-pw");
        return FileAuthCallout.open(file);
    }

    private static ConnectRequest request(String password) {
        return ConnectRequest.of("dev-1", "user-1", password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 40000), null);
    }

    @Override
    protected ConnectRequest allowedRequest() {
        return request("right-pw");
    }

    @Override
    protected ConnectRequest deniedRequest() {
        return request("wrong-pw");
    }
}
