package io.mqttsentinel.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MQTT 3.1.1 section 4.7 (topic names and filters) and 1.5.3 (UTF-8 strings). */
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
        "/finance, /finance, true",
        "/finance, finance, false",
        "/#, /finance/stocks, true",
        "#, /finance, true",
        "+/#, /finance, true",
        "$SYS, $SYS, true",
        "+, $SYS, false",
        "$SYS/+, $SYS/uptime, true",
        "a/$b, a/$b, true",
        "a/+, a/$b, true",
        "a/#, a, true",
        "a/#, ab, false",
        "a/+/#, a/b, true",
        "a/+/#, a, false",
    })
    void matches_followsTheSpecification(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+", "/", "a//b", "$SYS/#", "/a", "/#", "/+/b", "+/", "$SYS",
        "sport/tennis/#", "\u00e9t\u00e9/+", "\ud83d\ude00/#"})
    void isValidFilter_acceptsWellPlacedWildcards(String filter) {
        assertThat(Topics.isValidFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a#", "a/b#", "+a", "a/+b", "##", "#/", "++", "a/++", "a/#/", "a\u0000/#",
        "\ud83d/#", "a/\ude00"})
    void isValidFilter_refusesMisplacedWildcards(String filter) {
        assertThat(Topics.isValidFilter(filter)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/+", "a/#", "+", "#", "a+b", "a#b", "with\u0000nul", "lone\ud83d", "lone\ude00/x"})
    void isValidName_refusesWildcardsEmptyNulAndUnpairedSurrogates(String topic) {
        assertThat(Topics.isValidName(topic)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "/", "/a", "/finance/stocks", "a/", "a//b", "//", "$SYS/broker", "sentinel/clients/dev-1/telemetry",
        "\u00e9t\u00e9", "\ud83d\ude00", "a b", "a$b"})
    void isValidName_acceptsAnyOtherUtf8_includingALeadingSlash(String topic) {
        assertThat(Topics.isValidName(topic)).isTrue();
        assertThat(Topics.isValidFilter(topic)).as("a topic name is also a filter that matches itself").isTrue();
        assertThat(Topics.matches(topic, topic)).isTrue();
    }

    @Test
    void null_isNeitherANameNorAFilter() {
        assertThat(Topics.isValidName(null)).isFalse();
        assertThat(Topics.isValidFilter(null)).isFalse();
    }

    @Test
    void length_isCountedInUtf8Bytes_upTo65535() {
        assertThat(Topics.isValidName("a".repeat(65_535))).isTrue();
        assertThat(Topics.isValidName("a".repeat(65_536))).isFalse();
        // U+00E9 is two bytes: 32,767 of them plus one ASCII byte are 65,535 bytes in 32,768 chars
        assertThat(Topics.isValidName("\u00e9".repeat(32_767) + "a")).isTrue();
        assertThat(Topics.isValidName("\u00e9".repeat(32_768))).isFalse();
        // U+20AC is three bytes
        assertThat(Topics.isValidName("\u20ac".repeat(21_845))).isTrue();
        assertThat(Topics.isValidFilter("\u20ac".repeat(21_845) + "/#")).isFalse();
        // a surrogate pair is four bytes
        assertThat(Topics.isValidName("\ud83d\ude00".repeat(16_383) + "abc")).isTrue();
        assertThat(Topics.isValidName("\ud83d\ude00".repeat(16_384))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", "+", "#", "a/+/c"})
    void hasWildcard(String filter) {
        assertThat(Topics.hasWildcard(filter)).isEqualTo(filter.contains("+") || filter.contains("#"));
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
