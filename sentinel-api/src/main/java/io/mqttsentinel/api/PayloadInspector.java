package io.mqttsentinel.api;

import java.nio.ByteBuffer;

/**
 * Inspects the payload of every PUBLISH that reaches the core broker and says whether to deliver it.
 *
 * <p><b>Who calls it:</b> the core broker, once per PUBLISH, after validation and before the message is
 * appended to the {@link MessageLog}. A message whose verdict does not {@linkplain Action#delivers()
 * deliver} is never forwarded; the broker turns its findings into {@link SecurityEvent}s.
 *
 * <p><b>Threading and cost:</b> the call is synchronous and CPU-only (no I/O), made from a broker I/O
 * thread; it must take time linear in the payload's size whatever the input, and should allocate nothing
 * for a clean message (return {@link Verdict#allow()}). Implementations are thread-safe.
 *
 * <p><b>Failure:</b> an inspector does not throw for any payload; a bug that throws makes the broker
 * refuse the message (fail closed) and count it.
 */
@FunctionalInterface
public interface PayloadInspector {

    /**
     * @param context who published and where
     * @param payload the payload, between its position and limit; the inspector must not change the
     *                buffer's position, limit or content (use absolute gets or a duplicate)
     * @return the verdict, {@link Verdict#allow()} for a clean message
     */
    Verdict inspect(MessageContext context, ByteBuffer payload);

    /**
     * Chains a second inspector after this one, for an integrator who adds checks of their own to the
     * standard inspector. A {@link Action#BLOCK} from this inspector is final (the second one is not asked);
     * otherwise both verdicts' findings are merged and the strongest action wins. A clean message still
     * costs no allocation when both inspectors return {@link Verdict#allow()}.
     *
     * @param next the inspector to ask second
     * @return the chained inspector
     */
    default PayloadInspector andThen(PayloadInspector next) {
        java.util.Objects.requireNonNull(next, "next");
        return (context, payload) -> {
            Verdict first = inspect(context, payload);
            if (first.action() == Action.BLOCK) {
                return first;
            }
            Verdict second = next.inspect(context, payload);
            if (second.findings().isEmpty()) {
                return first;
            }
            if (first.findings().isEmpty()) {
                return second;
            }
            java.util.List<Finding> all = new java.util.ArrayList<>(first.findings());
            all.addAll(second.findings());
            return Verdict.of(all);
        };
    }
}
