package io.mqttsentinel.inspect;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttsentinel.api.SecurityEvent;
import io.mqttsentinel.inspect.internal.SyslogFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Sends security events to a syslog receiver (rsyslog, syslog-ng, a SIEM) as RFC 5424 messages over TCP,
 * optionally TLS (RFC 5425), framed by octet counting (RFC 6587):
 * <pre>187 &lt;11&gt;1 2026-11-25T04:00:00Z gw-1 mqtt-sentinel 4242 sqli-union [sentinel@32473 layer="broker"
 * client="dev-1" topic="t/1" category="sql_injection" rule="sqli-union" action="block" severity="high"] 1 union select 1,2</pre>
 * PRI is the facility (default 4, security/authorization) times 8 plus the severity (critical 2, high 3,
 * medium 4, low 5); MSGID is the rule id; the structured data holds the event's fields with {@code "},
 * {@code \} and {@code ]} escaped; MSG is the excerpt.
 *
 * <p>{@link #accept} never blocks: events go into a bounded queue ({@link #dropped()} counts what a full
 * queue turns away). A thread of the sink's own connects, writes each batch and, when the receiver is
 * unreachable or the connection breaks, reconnects with exponential back-off and sends the batch again
 * (a receiver may see an event twice, never out of order). Events still unsent at {@link #close()} are
 * counted in {@link #failed()}. Thread-safe.
 */
public final class SyslogEventSink extends QueuedEventSink {

    private static final Logger LOG = LoggerFactory.getLogger(SyslogEventSink.class);
    private static final Pattern SD_ID = Pattern.compile("[!#-Z\\^-~&&[^=\\]\" ]]{1,32}");

    private final String host;
    private final int port;
    private final boolean tls;
    private final SSLContext sslContext;
    private final Duration connectTimeout;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final SyslogFormat format;
    private volatile Socket socket; // written by the worker thread; closed by close() if the worker is stuck
    private OutputStream out;

    private SyslogEventSink(Builder b) {
        super(b.queueCapacity, "sentinel-events-syslog");
        this.host = b.host;
        this.port = b.port;
        this.tls = b.tls;
        this.sslContext = b.tls ? sslContext(b.trustedCa) : null;
        this.connectTimeout = b.connectTimeout;
        this.backoffInitial = b.backoffInitial;
        this.backoffMax = b.backoffMax;
        this.format = new SyslogFormat(b.facility, b.hostname == null ? localHostName() : b.hostname,
                Long.toString(ProcessHandle.current().pid()), b.sdId);
        bindMetrics(b.registry, b.name);
        start();
    }

    /**
     * @param target {@code tcp://host[:port]} (default port 514) or {@code tls://host[:port]} (default 6514)
     * @return a builder
     * @throws IllegalArgumentException when the target is not such a URI
     */
    public static Builder builder(URI target) {
        return new Builder(Objects.requireNonNull(target, "target"));
    }

    /** @return events given up on: unsent when the sink closed */
    public long failed() {
        return failed.get();
    }

    /** @return events written to the receiver's connection */
    public long sent() {
        return delivered.get();
    }

    @Override
    protected void handle(List<SecurityEvent> batch) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream(batch.size() * 300);
        for (SecurityEvent e : batch) {
            frames.writeBytes(format.frame(e));
        }
        Duration backoff = backoffInitial;
        while (true) {
            try {
                if (out == null) {
                    connect();
                    backoff = backoffInitial;
                }
                frames.writeTo(out);
                out.flush();
                delivered.addAndGet(batch.size());
                return;
            } catch (IOException | RuntimeException ex) {
                LOG.warn("syslog receiver {}:{} unreachable ({}); retrying in {} ms", host, port, ex.toString(),
                        backoff.toMillis());
                disconnect();
                if (!pause(backoff)) {
                    failed.addAndGet(batch.size());
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(backoffMax) > 0 ? backoffMax : backoff.multipliedBy(2);
            }
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            if (tls) {
                SSLSocket ssl = (SSLSocket) sslContext.getSocketFactory().createSocket(s, host, port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                s.setSoTimeout((int) connectTimeout.toMillis());
                ssl.startHandshake();
                s.setSoTimeout(0);
                s = ssl;
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        socket = s;
        out = s.getOutputStream();
        LOG.info("security events go to syslog {}://{}:{}", tls ? "tls" : "tcp", host, port);
    }

    private void disconnect() {
        out = null;
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a broken connection: nothing more to do
            }
        }
    }

    /** Sends what is queued (giving up after 10 s), then closes the connection. */
    @Override
    public void close() {
        stopWorker();
        disconnect();
    }

    @Override
    public String toString() {
        return "SyslogEventSink{" + (tls ? "tls" : "tcp") + "://" + host + ":" + port + ", sent=" + delivered
                + ", dropped=" + dropped + ", failed=" + failed + "}";
    }

    static SSLContext sslContext(Path trustedCa) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trustedCa == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(trustedCa)) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("ca-" + i++, c);
                    }
                    if (i == 0) {
                        throw new IllegalArgumentException("trustedCa " + trustedCa + " holds no PEM certificate");
                    }
                }
                tmf.init(ks);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA file " + trustedCa, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("trustedCa " + trustedCa + " is not a PEM certificate bundle: " + e.getMessage(), e);
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "-";
        }
    }

    /** Builds a {@link SyslogEventSink}. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final boolean tls;
        private Path trustedCa;
        private String hostname;
        private int facility = 4;
        private String sdId = "sentinel@32473";
        private int queueCapacity = 10_000;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration backoffInitial = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(30);
        private MeterRegistry registry;
        private String name = "syslog";

        Builder(URI target) {
            String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("tcp") && !scheme.equals("tls") || target.getHost() == null
                    || target.getPort() == 0 || target.getPort() > 65_535) {
                throw new IllegalArgumentException("target must be tcp://host[:port] or tls://host[:port], port 1 to 65535, was " + target);
            }
            this.tls = scheme.equals("tls");
            this.host = target.getHost();
            this.port = target.getPort() > 0 ? target.getPort() : tls ? 6514 : 514;
        }

        /**
         * @param caFile PEM certificates that sign the receiver's certificate (default the JDK's trust store);
         *               only for {@code tls://}
         * @return this builder
         */
        public Builder trustedCa(Path caFile) {
            if (!Files.isReadable(Objects.requireNonNull(caFile, "caFile"))) {
                throw new IllegalArgumentException("trustedCa must be a readable PEM file, was " + caFile);
            }
            this.trustedCa = caFile;
            return this;
        }

        /**
         * @param name the HOSTNAME field (default this machine's host name)
         * @return this builder
         */
        public Builder hostname(String name) {
            this.hostname = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param facility the syslog facility, 0 .. 23 (default 4, security/authorization)
         * @return this builder
         */
        public Builder facility(int facility) {
            if (facility < 0 || facility > 23) {
                throw new IllegalArgumentException("facility must be in [0, 23], was " + facility);
            }
            this.facility = facility;
            return this;
        }

        /**
         * @param id the SD-ID of the structured data, {@code name@<private enterprise number>} (default
         *           {@code sentinel@32473}, the documentation number of RFC 5612)
         * @return this builder
         */
        public Builder structuredDataId(String id) {
            if (id == null || !SD_ID.matcher(id).matches() || id.indexOf('@') < 1) {
                throw new IllegalArgumentException("structuredDataId must be name@number, 1 to 32 printable ASCII "
                        + "characters without = ] \" or space, was " + id);
            }
            this.sdId = id;
            return this;
        }

        /**
         * @param capacity events queued at most before new ones are dropped, 1 .. 10000000 (default 10000)
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = checkQueueCapacity(capacity);
            return this;
        }

        /**
         * @param timeout deadline of a connect and a TLS handshake, 1 ms .. 5 min (default 5 s)
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkDuration("connectTimeout", timeout, Duration.ofMinutes(5));
            return this;
        }

        /**
         * @param initial first reconnect delay, 1 ms .. 1 h (default 500 ms)
         * @param max     largest reconnect delay, {@code initial} .. 1 h (default 30 s)
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = checkDuration("backoff initial", initial, Duration.ofHours(1));
            this.backoffMax = checkDuration("backoff max", max, Duration.ofHours(1));
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff max must be at least the initial delay " + initial + ", was " + max);
            }
            return this;
        }

        /**
         * @param registry where {@code sentinel.events.dropped} and {@code .delivered} are registered (default none)
         * @param name     the {@code sink} tag (default {@code syslog})
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry, String name) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.name = checkSinkName(name);
            return this;
        }

        /**
         * @return the sink, its thread started (it connects on the first event)
         * @throws IllegalArgumentException when the CA file holds no certificate
         */
        public SyslogEventSink build() {
            if (trustedCa != null && !tls) {
                throw new IllegalArgumentException("trustedCa needs a tls:// target");
            }
            return new SyslogEventSink(this);
        }
    }

    static Duration checkDuration(String name, Duration d, Duration max) {
        Objects.requireNonNull(d, name);
        if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be in [1ms, " + max + "], was " + d);
        }
        return d;
    }
}
