package io.mqttsentinel.inspect.internal;

import java.nio.ByteBuffer;

/** Shannon entropy of a payload's bytes, in bits per byte. */
public final class Entropy {

    private static final double LN2 = Math.log(2);

    private Entropy() {
    }

    /**
     * @param payload bytes between position and limit (not changed)
     * @return whether every byte is below 0x80: such a payload cannot exceed 7 bits per byte
     */
    public static boolean isAscii(ByteBuffer payload) {
        int p = payload.position();
        int end = payload.limit();
        long acc = 0;
        int i = p;
        for (; i + 8 <= end; i += 8) {
            acc |= payload.getLong(i);
        }
        for (; i < end; i++) {
            acc |= payload.get(i);
        }
        return (acc & 0x8080808080808080L) == 0;
    }

    /**
     * @param payload   bytes between position and limit (not changed)
     * @param histogram a 256-entry work array
     * @return the entropy in bits per byte (0 for an empty payload)
     */
    public static double bitsPerByte(ByteBuffer payload, int[] histogram) {
        java.util.Arrays.fill(histogram, 0);
        int p = payload.position();
        int end = payload.limit();
        for (int i = p; i < end; i++) {
            histogram[payload.get(i) & 0xFF]++;
        }
        int n = end - p;
        if (n == 0) {
            return 0;
        }
        double sum = 0;
        for (int c : histogram) {
            if (c > 0) {
                sum += c * Math.log(c);
            }
        }
        // H = log2(n) - (1/n) * sum(c * log2(c))
        return (Math.log(n) - sum / n) / LN2;
    }
}
