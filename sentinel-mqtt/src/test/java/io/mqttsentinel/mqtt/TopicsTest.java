package io.mqttsentinel.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
        "sport/tennis/player1/#, sport/tennis/player1, true",
        "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
        "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
        "sport/#, sport, true",
        "#, sport/tennis, true",
        "sport/tennis/+, sport/tennis/player1, true",
        "sport/tennis/+, sport/tennis/player1/ranking, false",
        "sport/+, sport, false",
        "sport/+, sport/, true",
        "+/+, /finance, true",
        "/+, /finance, true",
        "+, /finance, false",
        "#, $SYS/broker, false",
        "+/monitor, $SYS/monitor, false",
        "$SYS/#, $SYS/broker, true",
        "clients/dev1/alerts, clients/dev1/alerts, true",
        "clients/dev1/alerts, clients/dev1/alert, false",
        "clients/dev1/alerts, clients/dev1/alerts/x, false",
        "clients/+/alerts, clients/dev2/alerts, true",
        "a/b, a/b/, false",
        "a/b/, a/b/, true",
        "a//b, a//b, true",
        "a/+/b, a//b, true",
    })
    void matches_followsTheSpecification(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+", "/", "a//b", "$SYS/#"})
    void isValidFilter_acceptsWellPlacedWildcards(String filter) {
        assertThat(Topics.isValidFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a#", "a/b#", "+a", "a/+b", "##"})
    void isValidFilter_refusesMisplacedWildcards(String filter) {
        assertThat(Topics.isValidFilter(filter)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/+", "a/#", "with\u0000nul"})
    void isValidName_refusesWildcardsEmptyAndNul(String topic) {
        assertThat(Topics.isValidName(topic)).isFalse();
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "clients/dev1/#, clients/dev1/alerts, true",
        "clients/dev1/#, clients/dev1/#, true",
        "clients/dev1/#, clients/+/alerts, false",
        "clients/dev1/alerts, clients/dev1/alerts, true",
        "clients/dev1/alerts, clients/dev1/+, false",
        "clients/+/alerts, clients/dev9/alerts, true",
        "clients/+/alerts, clients/+/alerts, true",
        "clients/dev1/alerts, clients/dev1/alerts/#, false",
        "#, anything/at/all, true",
    })
    void covers_allowsOnlySubscriptionsWithinThePermission(String outer, String inner, boolean expected) {
        assertThat(Topics.covers(outer, inner)).isEqualTo(expected);
    }
}
