package io.mqttsentinel.mqtt.internal;

import io.netty.buffer.ByteBuf;

/** Strict UTF-8 checks as MQTT 3.1.1 section 1.5.3 requires, directly on the wire bytes. */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * @param buf    the bytes
     * @param index  first byte
     * @param length number of bytes
     * @return {@code true} when the range is well-formed UTF-8 without overlong forms, surrogates,
     *         code points above U+10FFFF, or U+0000
     */
    public static boolean isValidMqttString(ByteBuf buf, int index, int length) {
        int i = index;
        int end = index + length;
        while (i < end) {
            int b = buf.getByte(i) & 0xFF;
            if (b < 0x80) {
                if (b == 0) {
                    return false;
                }
                i++;
                continue;
            }
            int need;
            int cp;
            int min;
            if ((b & 0xE0) == 0xC0) {
                need = 1;
                cp = b & 0x1F;
                min = 0x80;
            } else if ((b & 0xF0) == 0xE0) {
                need = 2;
                cp = b & 0x0F;
                min = 0x800;
            } else if ((b & 0xF8) == 0xF0) {
                need = 3;
                cp = b & 0x07;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + need >= end) {
                return false; // the sequence runs past the string
            }
            for (int k = 1; k <= need; k++) {
                int c = buf.getByte(i + k) & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += need + 1;
        }
        return true;
    }
}
