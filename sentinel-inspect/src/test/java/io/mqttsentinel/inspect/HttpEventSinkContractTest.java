package io.mqttsentinel.inspect;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.testkit.events.SecurityEventSinkContract;
import org.junit.jupiter.api.AfterEach;

/**
 * Each sink posts to a collector of its own, a JDK HTTP server that keeps every request body and answers 204;
 * the stalled collector accepts the connection and never answers.
 */
class HttpEventSinkContractTest extends SecurityEventSinkContract<HttpEventSink> {
    private final Map<HttpEventSink, List<byte[]>> bodies = new ConcurrentHashMap<>();
    private final List<HttpServer> collectors = new CopyOnWriteArrayList<>();
    private final List<StalledReceiver> stalled = new CopyOnWriteArrayList<>();

    @Override
    protected HttpEventSink newSink() throws Exception {
        List<byte[]> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/events", exchange -> {
            // kept before the answer: once the sink counts a batch delivered, its body is here
            received.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        collectors.add(server);
        HttpEventSink sink = HttpEventSink.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events"))
                .build();
        bodies.put(sink, received);
        return sink;
    }

    @Override
    protected HttpEventSink newStalledSink() throws Exception {
        StalledReceiver receiver = new StalledReceiver();
        stalled.add(receiver);
        return HttpEventSink.builder(URI.create("http://127.0.0.1:" + receiver.port() + "/events"))
                .queueCapacity(100).build();
    }

    @Override
    protected List<SecurityEvent> delivered(HttpEventSink sink) throws Exception {
        List<SecurityEvent> events = new ArrayList<>();
        for (byte[] body : bodies.get(sink)) {
            events.addAll(EventJsonReader.readArray(body));
        }
        return events;
    }

    /**
     * Runs before the kit closes the sinks: the stalled collector hangs up, so that close does not wait out a
     * request timeout; the collectors stop after every sink of theirs has been flushed by its test.
     */
    @AfterEach
    void collectorsStop() throws Exception {
        for (StalledReceiver r : stalled) {
            r.close();
        }
        collectors.forEach(s -> s.stop(0));
    }
}
