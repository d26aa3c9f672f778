package io.mqttsentinel.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One attacker of every {@link AttackKind}, each from its own source address where the system has one to give
 * ({@link SourceAddresses}).
 */
final class Attackers {
    private final List<Attacker> all;

    private Attackers(List<Attacker> all) {
        this.all = List.copyOf(all);
    }

    /**
     * @param proxy   how to reach the proxy
     * @param auth    where the compromised devices' accounts are added
     * @param sources the source addresses
     * @param fleet   the fleet's client ids (victims of the guesser and the prober)
     * @return the attackers, in {@link AttackKind} order, not started
     */
    static Attackers create(ProxyAccess proxy, DemoAuthEndpoint auth, SourceAddresses sources, List<String> fleet) {
        List<Attacker> list = new ArrayList<>();
        for (AttackKind kind : AttackKind.values()) {
            list.add(create(kind, proxy, auth, sources, fleet));
        }
        return new Attackers(list);
    }

    private static Attacker create(AttackKind kind, ProxyAccess proxy, DemoAuthEndpoint auth, SourceAddresses sources,
                                   List<String> fleet) {
        switch (kind) {
            case PUBLISH_FLOOD:
                return new PublishFlood(sources.attacker(kind), proxy, auth);
            case CONNECT_FLOOD:
                return new ConnectFlood(sources.attacker(kind), proxy.address());
            case WRONG_PASSWORD:
                return new PasswordGuesser(sources.attacker(kind), proxy, fleet);
            case TOPIC_PROBE:
                return new TopicProber(sources.attacker(kind), proxy, auth, fleet);
            case MALFORMED:
                return new MalformedPackets(sources.attacker(kind), proxy);
            default:
                return PayloadAttacker.of(kind, sources.attacker(kind), proxy, auth);
        }
    }

    /** @return every attacker, in {@link AttackKind} order */
    List<Attacker> all() {
        return all;
    }

    /**
     * @param kind a kind
     * @return its attacker
     */
    Attacker of(AttackKind kind) {
        return all.get(kind.ordinal());
    }

    /** @return the attackers by the client id they connect with */
    Map<String, Attacker> byClientId() {
        return all.stream().collect(Collectors.toUnmodifiableMap(Attacker::clientId, Function.identity()));
    }

    /** @param scheduler the demo's scheduler */
    void start(ScheduledExecutorService scheduler) {
        all.forEach(a -> a.start(scheduler));
    }

    /** Stops every attacker and waits up to 5 s, all together, for what they have under way. */
    void stop() {
        all.forEach(Attacker::stop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        all.forEach(a -> a.awaitStopped(deadline));
    }
}
