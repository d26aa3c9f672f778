package io.mqttsentinel.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashingTest {

    @Test
    void sourceKey_ipv4_isTaggedAddress() throws Exception {
        long key = Hashing.sourceKey(InetAddress.getByName("203.0.113.7"), Hashing.prefixMask(64));
        assertThat(key).isEqualTo(0x0000_FFFF_CB00_7107L);
    }

    @Test
    void sourceKey_ipv6_sameSlash64IsOneKey() throws Exception {
        long mask = Hashing.prefixMask(64);
        long a = Hashing.sourceKey(InetAddress.getByName("2001:db8:1:2::1"), mask);
        long b = Hashing.sourceKey(InetAddress.getByName("2001:db8:1:2:ffff:ffff:ffff:ffff"), mask);
        long c = Hashing.sourceKey(InetAddress.getByName("2001:db8:1:3::1"), mask);
        assertThat(a).isEqualTo(b).isEqualTo(0x2001_0db8_0001_0002L);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void sourceKey_ipv4MappedIpv6_isThatIpv4AddressNotTheSlash64OfColonColon() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 203, 0, 113, 7};
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(v6).isInstanceOf(Inet6Address.class);
        long mask = Hashing.prefixMask(64);
        assertThat(Hashing.sourceKey(v6, mask)).isEqualTo(Hashing.sourceKey(InetAddress.getByName("203.0.113.7"), mask));
        mapped[15] = 8;
        assertThat(Hashing.sourceKey(Inet6Address.getByAddress(null, mapped, -1), mask))
                .isNotEqualTo(Hashing.sourceKey(v6, mask));
    }

    @Test
    void sourceKey_ipv6PrefixConfigurable() throws Exception {
        long mask48 = Hashing.prefixMask(48);
        long a = Hashing.sourceKey(InetAddress.getByName("2001:db8:1:2::1"), mask48);
        long b = Hashing.sourceKey(InetAddress.getByName("2001:db8:1:ff::1"), mask48);
        assertThat(a).isEqualTo(b).isEqualTo(0x2001_0db8_0001_0000L);
        assertThat(Hashing.prefixMask(1)).isEqualTo(Long.MIN_VALUE);
        assertThat(Hashing.prefixMask(64)).isEqualTo(-1L);
    }

    @Test
    void sourceKey_ipv4NeverEqualsGlobalUnicastIpv6() throws Exception {
        long v4 = Hashing.sourceKey(InetAddress.getByName("0.0.0.0"), -1L);
        long v6 = Hashing.sourceKey(InetAddress.getByName("::"), -1L);
        assertThat(v4).isNotEqualTo(v6);
        assertThat(v4 >>> 61).isZero(); // outside 2000::/3
    }

    @Test
    void sipHash13_dependsOnKeyAndEveryChar() {
        assertThat(Hashing.sipHash13("device-1", 1, 2)).isNotEqualTo(Hashing.sipHash13("device-1", 1, 3));
        assertThat(Hashing.sipHash13("device-1", 1, 2)).isEqualTo(Hashing.sipHash13("device-1", 1, 2));
        // String.hashCode collides on these; the keyed hash does not
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        assertThat(Hashing.sipHash13("Aa", 1, 2)).isNotEqualTo(Hashing.sipHash13("BB", 1, 2));
        // length is part of the hash: trailing NULs differ
        assertThat(Hashing.sipHash13("abc", 1, 2)).isNotEqualTo(Hashing.sipHash13("abc\0", 1, 2));
        assertThat(Hashing.sipHash13("", 1, 2)).isNotEqualTo(Hashing.sipHash13("\0", 1, 2));
    }

    @Test
    void sipHash13_noCollisionsAmongManyIds() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            assertThat(seen.add(Hashing.sipHash13("client-" + i, 0x1234, 0x5678))).isTrue();
        }
    }

    @Test
    void mix_isBijectiveOnSample() {
        Set<Long> seen = new HashSet<>();
        for (long i = 0; i < 100_000; i++) {
            assertThat(seen.add(Hashing.mix(i))).isTrue();
        }
    }
}
