package io.mqttsentinel.ratelimit.internal;

/**
 * Keys of the rate limiter: 64-bit mixing, a keyed hash of client ids, and source addresses as longs,
 * all without allocation (except the address copy of an IPv6 source).
 */
public final class Hashing {
    /** IPv4 sources live in the reserved IPv6 range 0:ffff::/32 of the key space, apart from real /64s. */
    static final long IPV4_TAG = 0x0000_FFFF_0000_0000L;
    private static final boolean INET4_HASH_IS_ADDRESS = inet4HashIsAddress();

    private Hashing() {
    }

    /**
     * The finalizer of MurmurHash3: a bijection of 64-bit values with full avalanche.
     *
     * @param x a value
     * @return its mix
     */
    public static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return x;
    }

    /**
     * The key of a source address: an IPv4 address as itself (tagged), also when it comes as an IPv4-mapped
     * IPv6 address; any other IPv6 address as its first {@code prefixLength} bits.
     *
     * @param source   the address
     * @param v6Mask   mask of the IPv6 prefix, see {@link #prefixMask(int)}
     * @return the key
     */
    public static long sourceKey(java.net.InetAddress source, long v6Mask) {
        if (source instanceof java.net.Inet4Address) {
            // Inet4Address.hashCode() is its address (checked at class load), which avoids getAddress()'s copy.
            int v4 = INET4_HASH_IS_ADDRESS ? source.hashCode() : toInt(source.getAddress());
            return IPV4_TAG | (v4 & 0xFFFF_FFFFL);
        }
        byte[] a = source.getAddress();
        long high = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (a[i] & 0xFF);
        }
        if (high == 0 && a[8] == 0 && a[9] == 0 && a[10] == (byte) 0xFF && a[11] == (byte) 0xFF) {
            // ::ffff:a.b.c.d, as a dual-stack socket may report an IPv4 peer: that IPv4 address, not the /64 ::
            return IPV4_TAG | ((a[12] & 0xFFL) << 24 | (a[13] & 0xFFL) << 16 | (a[14] & 0xFFL) << 8 | (a[15] & 0xFFL));
        }
        return high & v6Mask;
    }

    /**
     * @param prefixLength 1 .. 64
     * @return the mask that keeps the first {@code prefixLength} bits of an IPv6 address's high long
     */
    public static long prefixMask(int prefixLength) {
        return -1L << (64 - prefixLength);
    }

    /**
     * SipHash-1-3 of a string's UTF-16 code units (four to a 64-bit word), keyed with {@code k0, k1}:
     * a pseudo-random function, so that without the keys nobody can make two client ids collide.
     *
     * @param s  the string
     * @param k0 first half of the secret key
     * @param k1 second half of the secret key
     * @return the 64-bit hash
     */
    public static long sipHash13(String s, long k0, long k1) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int n = s.length();
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            long m = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48;
            v3 ^= m;
            // one compression round
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 ^= m;
        }
        long last = (long) (n & 0xFF) << 56;
        for (int shift = 0; i < n; i++, shift += 16) {
            last |= (long) s.charAt(i) << shift;
        }
        v3 ^= last;
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        v0 ^= last;
        v2 ^= 0xff;
        for (int r = 0; r < 3; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static int toInt(byte[] a) {
        return (a[0] & 0xFF) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | (a[3] & 0xFF);
    }

    private static boolean inet4HashIsAddress() {
        try {
            java.net.InetAddress probe = java.net.InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) 201});
            return probe.hashCode() == toInt(probe.getAddress());
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
