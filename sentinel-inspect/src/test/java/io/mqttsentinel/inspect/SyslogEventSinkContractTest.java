package io.mqttsentinel.inspect;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.testkit.Await;
import io.mqttsentinel.testkit.events.SecurityEventSinkContract;
import org.junit.jupiter.api.AfterEach;

/**
 * Each sink sends to a {@link SyslogReceiver} of its own, over TCP; the events are read back from the RFC 5424
 * messages: the time from TIMESTAMP, the severity, action and the other fields from the structured data
 * (unescaped), the excerpt from MSG (none when the excerpt is empty). The stalled receiver accepts the
 * connection and never reads it.
 *
 * <p>The one field syslog narrows is the time: an RFC 5424 TIMESTAMP holds at most six fraction digits, so
 * the sink truncates it to microseconds and {@link #carried} expects that; every other field is compared in
 * full.
 */
class SyslogEventSinkContractTest extends SecurityEventSinkContract<SyslogEventSink> {
    private final Map<SyslogEventSink, SyslogReceiver> receivers = new ConcurrentHashMap<>();
    private final List<AutoCloseable> toStop = new CopyOnWriteArrayList<>();

    @Override
    protected SyslogEventSink newSink() throws Exception {
        SyslogReceiver receiver = new SyslogReceiver(0, null);
        toStop.add(receiver);
        SyslogEventSink sink = SyslogEventSink.builder(URI.create("tcp://127.0.0.1:" + receiver.port()))
                .hostname("gw-1").build();
        receivers.put(sink, receiver);
        return sink;
    }

    @Override
    protected SyslogEventSink newStalledSink() throws Exception {
        StalledReceiver receiver = new StalledReceiver();
        toStop.add(receiver);
        return SyslogEventSink.builder(URI.create("tcp://127.0.0.1:" + receiver.port())).queueCapacity(100).build();
    }

    /** RFC 5424 TIMESTAMP: at most microseconds. */
    @Override
    protected SecurityEvent carried(SecurityEvent sent) {
        return new SecurityEvent(sent.time().truncatedTo(ChronoUnit.MICROS), sent.layer(), sent.clientId(),
                sent.topic(), sent.category(), sent.ruleId(), sent.severity(), sent.action(), sent.excerpt());
    }

    @Override
    protected List<SecurityEvent> delivered(SyslogEventSink sink) throws Exception {
        SyslogReceiver receiver = receivers.get(sink);
        List<String> messages = new ArrayList<>();
        // the sink has written sent() events to the connection; the receiver reads them on a thread of its own
        Await.until("the receiver to read the " + sink.sent() + " messages the sink sent", patience(), () -> {
            messages.addAll(receiver.take());
            return messages.size() >= sink.sent();
        });
        List<SecurityEvent> events = new ArrayList<>(messages.size());
        for (String m : messages) {
            events.add(parse(m));
        }
        return events;
    }

    /** Runs before the kit closes the sinks: the stalled receiver hangs up, so that close gives up at once. */
    @AfterEach
    void receiversStop() throws Exception {
        for (AutoCloseable r : toStop) {
            r.close();
        }
    }

    /** @return the event of {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID name="value"...] [MSG]} */
    private static SecurityEvent parse(String message) {
        int at = 0;
        String[] header = new String[6];
        for (int i = 0; i < header.length; i++) {
            int space = message.indexOf(' ', at);
            if (space < 0) {
                throw new AssertionError("not an RFC 5424 message: " + message);
            }
            header[i] = message.substring(at, space);
            at = space + 1;
        }
        if (message.charAt(at) != '[') {
            throw new AssertionError("no structured data at " + at + ": " + message);
        }
        at = message.indexOf(' ', at);                  // past the SD-ID
        Map<String, String> params = new ConcurrentHashMap<>();
        while (message.charAt(at) == ' ') {
            int eq = message.indexOf("=\"", at);
            String name = message.substring(at + 1, eq);
            StringBuilder value = new StringBuilder();
            at = eq + 2;
            for (char c = message.charAt(at); c != '"'; c = message.charAt(at)) {
                if (c == '\\') {                        // RFC 5424 6.3.3: \" \\ \] stand for the character
                    c = message.charAt(++at);
                }
                value.append(c);
                at++;
            }
            params.put(name, value.toString());
            at++;                                       // past the closing quote
        }
        if (message.charAt(at) != ']') {
            throw new AssertionError("structured data not closed at " + at + ": " + message);
        }
        at++;
        String excerpt = at == message.length() ? "" : message.substring(at + 1); // after the space before MSG
        return new SecurityEvent(Instant.parse(header[1]), params.get("layer"), params.get("client"),
                params.get("topic"), params.get("category"), params.get("rule"),
                Severity.valueOf(params.get("severity").toUpperCase(Locale.ROOT)),
                Action.valueOf(params.get("action").toUpperCase(Locale.ROOT)), excerpt);
    }
}
