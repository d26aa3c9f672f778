package io.mqttsentinel.proxy.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mqttsentinel.mqtt.link.LinkHandler;
import io.mqttsentinel.mqtt.link.LinkStreamChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Promise;

/**
 * Carries devices' upstream connections as streams of shared links, one link per (I/O thread, core node): a
 * device's stream lives on its own event loop's link, so the device, its stream and the link run on one thread.
 * A link is opened by the first device that needs it (the others wait for it) and reopened by the first device
 * after it closed; when it closes, every stream on it closes and those devices are disconnected (they reconnect
 * and resume their sessions, as after a node's death).
 *
 * <p>A node that answers the link's preamble with anything else speaks only MQTT: its devices connect one by one
 * ({@code perDevice}) until the upstream retry delay passed, then a link is tried again. Probes of a node (after a
 * dropped connection) are plain connections, as before.
 */
public final class LinkConnector implements UpstreamConnector {
    private static final Logger LOG = LoggerFactory.getLogger(LinkConnector.class);

    private final ProxyRuntime rt;
    private final UpstreamConnector perDevice;
    /** Per event loop, its links by node; each inner map is used only on its loop. */
    private final ConcurrentMap<EventLoop, Map<InetSocketAddress, Link>> links = new ConcurrentHashMap<>();
    /** Nodes that speak only MQTT, until the ticker value given. */
    private final ConcurrentMap<InetSocketAddress, Long> mqttOnlyUntil = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param rt        the proxy's collaborators (TLS to the core, timeouts, metrics, ticker)
     * @param perDevice the connector for nodes that speak only MQTT, and for probes
     */
    public LinkConnector(ProxyRuntime rt, UpstreamConnector perDevice) {
        this.rt = rt;
        this.perDevice = perDevice;
    }

    /** @return links open and answered now */
    public int openLinks() {
        return open.get();
    }

    @Override
    public ChannelFuture connect(Channel device, InetSocketAddress node, ChannelHandler initializer) {
        Long until = mqttOnlyUntil.get(node);
        if (until != null) {
            if (rt.ticker().nanoTime() - until < 0) {
                return perDevice.connect(device, node, initializer);
            }
            mqttOnlyUntil.remove(node, until);
        }
        EventLoop loop = device.eventLoop();
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("connect on the device's event loop");
        }
        Map<InetSocketAddress, Link> mine = links.computeIfAbsent(loop, l -> new HashMap<>());
        Link link = mine.get(node);
        if (link == null || !link.channel.isOpen() || (link.ready.isSuccess() && !link.handler.canOpen())) {
            link = new Link(loop, node, mine);
            mine.put(node, link);
        }
        return link.stream(initializer);
    }

    @Override
    public ChannelFuture probe(Channel device, InetSocketAddress node) {
        return perDevice.probe(device, node);
    }

    /** One link to one node from one event loop. */
    private final class Link {
        private final InetSocketAddress node;
        private final Promise<Void> ready;
        private final LinkHandler handler;
        private final Channel channel;
        private List<Waiting> waiting = new ArrayList<>();

        Link(EventLoop loop, InetSocketAddress node, Map<InetSocketAddress, Link> owner) {
            this.node = node;
            this.ready = loop.newPromise();
            this.handler = LinkHandler.opener(ready,
                    (violation, detail, remote) -> rt.metrics().upstreamFailure("link_" + violation.label()));
            SslContext tls = rt.upstreams().tls();
            long timeoutMillis = rt.limits().upstreamConnectTimeout().toMillis();
            ChannelFuture cf = new Bootstrap()
                    .group(loop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), node.getHostString(), node.getPort()));
                            }
                            handler.install(ch.pipeline());
                        }
                    })
                    .connect(node);
            this.channel = cf.channel();
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    ready.tryFailure(f.cause());
                }
            });
            io.netty.util.concurrent.ScheduledFuture<?> timer = loop.schedule(() -> {
                String what = "no answer to the link preamble from " + hostPort() + " within " + timeoutMillis + " ms";
                if (ready.tryFailure(handler.transportUp() ? new LinkHandler.NotALinkPeer(what)
                        : new ConnectTimeoutException(what))) {
                    channel.close();
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            ready.addListener(f -> {
                timer.cancel(false);
                if (f.isSuccess()) {
                    open.incrementAndGet();
                    LOG.debug("link to core {} open", hostPort());
                    opened();
                } else {
                    failed(f.cause());
                }
            });
            channel.closeFuture().addListener(f -> {
                owner.remove(node, this);
                if (ready.isSuccess()) {
                    open.decrementAndGet();
                    int devices = handler.streamCount(); // still counted: the handler closes them after this
                    if (devices > 0) {
                        LOG.info("link to core {} closed with {} devices on it: they are disconnected and reconnect",
                                hostPort(), devices);
                    } else {
                        LOG.debug("link to core {} closed", hostPort());
                    }
                }
                // an unanswered link fails in its handler's channelInactive (which runs after this), telling
                // "speaks only MQTT" from "unreachable"
            });
        }

        ChannelFuture stream(ChannelHandler initializer) {
            LinkStreamChannel s = handler.newStream(initializer);
            ChannelPromise p = s.newPromise();
            if (ready.isSuccess()) {
                start(s, p);
            } else if (ready.isDone()) {
                fail(s, p, ready.cause());
            } else {
                waiting.add(new Waiting(s, p));
            }
            return p;
        }

        private void opened() {
            List<Waiting> w = waiting;
            waiting = null;
            for (Waiting x : w) {
                start(x.stream, x.promise);
            }
        }

        private void failed(Throwable cause) {
            if (cause instanceof LinkHandler.NotALinkPeer) {
                mqttOnlyUntil.put(node, rt.ticker().nanoTime() + rt.upstreams().retryNanos());
                LOG.info("core {} does not speak the link protocol ({}): its devices connect one by one",
                        hostPort(), cause.getMessage());
            } else {
                LOG.debug("link to core {} failed: {}", hostPort(), cause.toString());
            }
            List<Waiting> w = waiting;
            waiting = null;
            if (w != null) {
                for (Waiting x : w) {
                    fail(x.stream, x.promise, cause);
                }
            }
            channel.close();
        }

        private void start(LinkStreamChannel s, ChannelPromise p) {
            if (handler.open(s)) {
                p.trySuccess();
            } else {
                fail(s, p, new java.nio.channels.ClosedChannelException());
            }
        }

        private void fail(LinkStreamChannel s, ChannelPromise p, Throwable cause) {
            p.tryFailure(cause);
            s.close();
        }

        private String hostPort() {
            return node.getHostString() + ":" + node.getPort();
        }
    }

    private record Waiting(LinkStreamChannel stream, ChannelPromise promise) {
    }
}
