package io.mqttsentinel.testkit.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.mqttsentinel.api.Action;
import io.mqttsentinel.api.Finding;
import io.mqttsentinel.api.MessageContext;
import io.mqttsentinel.api.PayloadInspector;
import io.mqttsentinel.api.Severity;
import io.mqttsentinel.api.ThreatCategory;
import io.mqttsentinel.api.Verdict;
import io.mqttsentinel.testkit.TelemetryGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit of {@link PayloadInspector}: every inspector's test extends this class and so keeps
 * the interface's contract: it never throws, whatever the payload (a seeded fuzz corpus); it reads only
 * between the buffer's position and limit and leaves position, limit, byte order and content as they were,
 * on heap, direct and read-only buffers alike, with the same verdict on each; a clean message gets the
 * shared {@link Verdict#allow()}; concurrent callers get the verdicts a single caller gets; a worst-case
 * megabyte is judged within {@link #patience()}; and {@link PayloadInspector#andThen} keeps its rules
 * (a BLOCK is final, findings merge, the strongest action wins, two allows stay the shared allow).
 *
 * <p>An implementation supplies {@link #newInspector()}; it may replace {@link #cleanPayloads()} (by default
 * generated device telemetry) with what is clean for its format, and should supply
 * {@link #blockedPayloads()}, payloads it blocks, without which the checks that need one are skipped.
 */
public abstract class PayloadInspectorContract {
    private static final long FUZZ_SEED = 0x5e471e1L;
    private static final int FUZZ_CASES = 3_000;

    private final AtomicLong contexts = new AtomicLong();
    private PayloadInspector inspector;

    /**
     * @return a new inspector, configured as it is used in production
     * @throws Exception when it cannot be made
     */
    protected abstract PayloadInspector newInspector() throws Exception;

    /** @return payloads the inspector must find clean; by default seeded device telemetry (JSON) */
    protected List<byte[]> cleanPayloads() {
        TelemetryGenerator generator = new TelemetryGenerator(7);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            out.add(generator.next());
        }
        return out;
    }

    /** @return payloads the inspector blocks ({@link Action#BLOCK}); empty skips the checks that need one */
    protected List<byte[]> blockedPayloads() {
        return List.of();
    }

    /**
     * @return how long one inspection of a worst-case megabyte may take before the test fails: loose, to
     *         catch a quadratic or catastrophic-backtracking inspector, not to measure speed on a busy machine
     */
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    /**
     * A context of its own per call (a new client id), so that per-client detectors such as a message rate
     * see every kit call as a first message.
     *
     * @return the context of the next inspection
     */
    protected MessageContext nextContext() {
        long n = contexts.incrementAndGet();
        return new MessageContext("kit-client-" + n, "devices/kit-client-" + n + "/telemetry", (int) (n % 3), "",
                1_767_225_600_000L + n);
    }

    @BeforeEach
    void createInspector() throws Exception {
        inspector = newInspector();
    }

    private Verdict inspect(PayloadInspector target, ByteBuffer buffer) {
        return target.inspect(nextContext(), buffer);
    }

    private List<byte[]> blocked() {
        List<byte[]> blocked = blockedPayloads();
        assumeThat(blocked).as("this implementation supplies no blocked payloads").isNotEmpty();
        return blocked;
    }

    // ---------------------------------------------------------------- buffers

    /** One way of handing the same bytes to an inspector. */
    private enum Kind {
        HEAP(b -> ByteBuffer.wrap(b.clone())),
        HEAP_WITH_OFFSET(b -> surrounded(b, new byte[] {'x', 'y', 'z'}, false).slice()),
        DIRECT(b -> ByteBuffer.allocateDirect(b.length).put(b).flip()),
        HEAP_READ_ONLY(b -> ByteBuffer.wrap(b.clone()).asReadOnlyBuffer()),
        DIRECT_READ_ONLY(b -> ByteBuffer.allocateDirect(b.length).put(b).flip().asReadOnlyBuffer());

        private final Function<byte[], ByteBuffer> make;

        Kind(Function<byte[], ByteBuffer> make) {
            this.make = make;
        }
    }

    /**
     * @return a buffer holding {@code outside}, then {@code payload}, then {@code outside} again, with
     *         position and limit around {@code payload}
     */
    private static ByteBuffer surrounded(byte[] payload, byte[] outside, boolean direct) {
        int size = outside.length * 2 + payload.length;
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        b.put(outside).put(payload).put(outside);
        b.position(outside.length).limit(outside.length + payload.length);
        return b;
    }

    private static byte[] everyByte(ByteBuffer b) {
        ByteBuffer all = b.duplicate().clear();
        byte[] out = new byte[all.remaining()];
        all.get(out);
        return out;
    }

    private void assertUntouched(ByteBuffer buffer, String what) {
        int position = buffer.position();
        int limit = buffer.limit();
        ByteOrder order = buffer.order();
        byte[] before = everyByte(buffer);

        Verdict v = inspect(inspector, buffer);

        assertThat(v).as("verdict on %s", what).isNotNull();
        assertThat(buffer.position()).as("position after inspecting %s", what).isEqualTo(position);
        assertThat(buffer.limit()).as("limit after inspecting %s", what).isEqualTo(limit);
        assertThat(buffer.order()).as("byte order after inspecting %s", what).isEqualTo(order);
        assertThat(everyByte(buffer)).as("content after inspecting %s", what).isEqualTo(before);
    }

    private List<byte[]> someOfEverything() {
        List<byte[]> payloads = new ArrayList<>(cleanPayloads());
        payloads.addAll(blockedPayloads());
        payloads.addAll(fuzzCorpus().subList(0, 200));
        return payloads;
    }

    @Test
    void inspect_heapBuffer_leavesPositionLimitOrderAndContentUntouched() {
        byte[] outside = "outside".getBytes(StandardCharsets.US_ASCII);
        for (byte[] p : someOfEverything()) {
            assertUntouched(surrounded(p, outside, false), "a heap buffer of " + describe(p));
            assertUntouched(surrounded(p, outside, false).order(ByteOrder.LITTLE_ENDIAN), "a little-endian buffer of " + describe(p));
        }
    }

    @Test
    void inspect_directBuffer_leavesPositionLimitOrderAndContentUntouched() {
        byte[] outside = "outside".getBytes(StandardCharsets.US_ASCII);
        for (byte[] p : someOfEverything()) {
            assertUntouched(surrounded(p, outside, true), "a direct buffer of " + describe(p));
        }
    }

    @Test
    void inspect_readOnlyBuffers_neverThrowAndLeavePositionAndLimit() {
        byte[] outside = "outside".getBytes(StandardCharsets.US_ASCII);
        for (byte[] p : someOfEverything()) {
            assertUntouched(surrounded(p, outside, false).asReadOnlyBuffer(), "a read-only heap buffer of " + describe(p));
            assertUntouched(surrounded(p, outside, true).asReadOnlyBuffer(), "a read-only direct buffer of " + describe(p));
        }
    }

    @Test
    void inspect_sameBytesInAnyKindOfBuffer_sameVerdict() {
        List<byte[]> payloads = new ArrayList<>(cleanPayloads());
        payloads.addAll(blockedPayloads());
        for (byte[] p : payloads) {
            Verdict expected = inspect(inspector, Kind.HEAP.make.apply(p));
            for (Kind kind : Kind.values()) {
                assertThat(inspect(inspector, kind.make.apply(p))).as("%s of %s", kind, describe(p)).isEqualTo(expected);
            }
        }
    }

    @Test
    void inspect_blockedBytesOutsidePositionAndLimit_areNotInspected() {
        byte[] clean = cleanPayloads().get(0);
        for (byte[] attack : blocked()) {
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer b = surrounded(clean, attack, direct);
                assertThat(inspect(inspector, b)).as("clean payload between two copies of %s (direct=%s)", describe(attack), direct)
                        .isSameAs(Verdict.allow());
            }
        }
    }

    // ---------------------------------------------------------------- verdicts

    @Test
    void inspect_cleanPayload_returnsTheSharedAllow() {
        for (byte[] p : cleanPayloads()) {
            assertThat(inspect(inspector, ByteBuffer.wrap(p))).as("verdict on %s", describe(p)).isSameAs(Verdict.allow());
        }
    }

    @Test
    void inspect_blockedPayload_blocksWithAFinding() {
        for (byte[] p : blocked()) {
            Verdict v = inspect(inspector, ByteBuffer.wrap(p));
            assertThat(v.action()).as("action on %s", describe(p)).isEqualTo(Action.BLOCK);
            assertThat(v.primary()).as("primary finding on %s", describe(p)).isPresent();
        }
    }

    @Test
    void inspect_fuzzCorpus_neverThrows() {
        List<byte[]> corpus = fuzzCorpus();
        for (int i = 0; i < corpus.size(); i++) {
            byte[] p = corpus.get(i);
            Kind kind = Kind.values()[i % Kind.values().length];
            MessageContext context = i % 7 == 0
                    ? new MessageContext("", "ü/\u0000/" + i, i % 3, "203.0.113." + (i % 255), 0L)
                    : nextContext();
            assertThatCode(() -> assertThat(inspector.inspect(context, kind.make.apply(p))).isNotNull())
                    .as("fuzz case %d (%s, seed %d): %s", i, kind, FUZZ_SEED, describe(p))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void inspect_worstCaseMegabyte_isJudgedWithinPatience() throws Exception {
        List<byte[]> worst = new ArrayList<>();
        worst.add(repeat("' OR '1'='1' -- ", 1 << 20));
        worst.add(repeat("{\"a\":", 1 << 20));
        worst.add(repeat("[", 1 << 20));
        worst.add(repeat("%25", 1 << 20));
        worst.add(repeat("\\u00", 1 << 20));
        worst.add(repeat("<scr", 1 << 20));
        worst.add(repeat("../", 1 << 20));
        byte[] random = new byte[1 << 20];
        new Random(FUZZ_SEED).nextBytes(random);
        worst.add(random);
        for (byte[] p : blockedPayloads()) {
            worst.add(repeat(new String(p, StandardCharsets.ISO_8859_1), 1 << 20));
        }
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            for (byte[] p : worst) {
                Future<Verdict> v = runner.submit(() -> inspect(inspector, ByteBuffer.wrap(p)));
                assertThat(v.get(patience().toMillis(), TimeUnit.MILLISECONDS)).as("verdict on a megabyte of %s", describe(p))
                        .isNotNull();
            }
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void inspect_concurrentCallers_getTheVerdictsOfASingleCaller() throws Exception {
        List<byte[]> payloads = new ArrayList<>(cleanPayloads());
        payloads.addAll(blockedPayloads());
        List<Verdict> expected = new ArrayList<>();
        for (byte[] p : payloads) {
            expected.add(inspect(inspector, ByteBuffer.wrap(p)));
        }
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    List<String> mismatches = new ArrayList<>();
                    for (int round = 0; round < 20; round++) {
                        for (int k = 0; k < payloads.size(); k++) {
                            int i = (k + offset * 7) % payloads.size();
                            Verdict v = inspect(inspector, ByteBuffer.wrap(payloads.get(i)).asReadOnlyBuffer());
                            if (!v.equals(expected.get(i))) {
                                mismatches.add(describe(payloads.get(i)) + ": " + v + " instead of " + expected.get(i));
                            }
                        }
                    }
                    return mismatches;
                }));
            }
            for (Future<List<String>> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).as("verdicts that differ under concurrent calls").isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- andThen

    private static PayloadInspector answering(Verdict verdict, AtomicInteger calls) {
        return (context, payload) -> {
            calls.incrementAndGet();
            return verdict;
        };
    }

    private static Verdict single(Action action, String ruleId) {
        return Verdict.of(List.of(new Finding(ThreatCategory.values()[0], Severity.values()[0], action, ruleId, "kit")));
    }

    @Test
    void andThen_bothClean_returnsTheSharedAllow() throws Exception {
        PayloadInspector chained = inspector.andThen(newInspector());
        for (byte[] p : cleanPayloads()) {
            assertThat(inspect(chained, ByteBuffer.wrap(p))).as("chained verdict on %s", describe(p)).isSameAs(Verdict.allow());
        }
    }

    @Test
    void andThen_thisBlocks_nextIsNotAsked() {
        AtomicInteger calls = new AtomicInteger();
        PayloadInspector chained = inspector.andThen(answering(single(Action.FLAG, "kit-next"), calls));
        for (byte[] p : blocked()) {
            Verdict v = inspect(chained, ByteBuffer.wrap(p));
            assertThat(v.action()).isEqualTo(Action.BLOCK);
            assertThat(v.findings()).extracting(Finding::ruleId).doesNotContain("kit-next");
        }
        assertThat(calls).as("calls to the second inspector after a BLOCK").hasValue(0);
    }

    @Test
    void andThen_previousBlocks_thisIsNotAsked() {
        Verdict block = single(Action.BLOCK, "kit-first");
        PayloadInspector chained = answering(block, new AtomicInteger()).andThen(inspector);
        for (byte[] p : cleanPayloads()) {
            assertThat(inspect(chained, ByteBuffer.wrap(p))).isSameAs(block);
        }
    }

    @Test
    void andThen_cleanThenFlag_returnsTheFlag() {
        Verdict flag = single(Action.FLAG, "kit-next");
        PayloadInspector chained = inspector.andThen(answering(flag, new AtomicInteger()));
        for (byte[] p : cleanPayloads()) {
            assertThat(inspect(chained, ByteBuffer.wrap(p))).isEqualTo(flag);
        }
    }

    @Test
    void andThen_flagThenBlocked_mergesFindingsAndTheStrongestWins() {
        Verdict flag = single(Action.FLAG, "kit-first");
        PayloadInspector chained = answering(flag, new AtomicInteger()).andThen(inspector);
        for (byte[] p : blocked()) {
            Verdict alone = inspect(inspector, ByteBuffer.wrap(p));
            Verdict v = inspect(chained, ByteBuffer.wrap(p));
            assertThat(v.action()).isEqualTo(Action.BLOCK);
            assertThat(v.findings()).containsAll(alone.findings()).contains(flag.findings().get(0))
                    .hasSize(alone.findings().size() + 1);
            assertThat(v.primary().orElseThrow().action()).isEqualTo(Action.BLOCK);
        }
    }

    // ---------------------------------------------------------------- corpus

    private static byte[] repeat(String unit, int size) {
        byte[] u = unit.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = u[i % u.length];
        }
        return out;
    }

    private static String describe(byte[] p) {
        String head = HexFormat.of().formatHex(p, 0, Math.min(p.length, 24));
        return p.length + " bytes [" + head + (p.length > 24 ? "..." : "") + "]";
    }

    /**
     * The seeded corpus: edge cases (empty, NULs, 0xFF, invalid UTF-8, deep nesting, long escapes, a string
     * that never ends), then random bytes, random printable text and mutations (bit flips, cuts, splices) of
     * the clean and blocked payloads.
     *
     * @return the same list on every run
     */
    protected final List<byte[]> fuzzCorpus() {
        List<byte[]> corpus = new ArrayList<>();
        corpus.add(new byte[0]);
        corpus.add(new byte[1]);
        corpus.add(new byte[4096]);
        byte[] ff = new byte[4096];
        Arrays.fill(ff, (byte) 0xFF);
        corpus.add(ff);
        corpus.add(new byte[] {(byte) 0xC0, (byte) 0x80, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xF8});
        corpus.add(new byte[] {(byte) 0xE2, (byte) 0x82});
        corpus.add(new byte[] {(byte) 0xF7, (byte) 0xA1, (byte) 0xFF, (byte) 0xFF, 'a'});
        corpus.add(repeat("{", 10_000));
        corpus.add(repeat("[", 10_000));
        corpus.add(repeat("{\"a\":[", 5_000));
        corpus.add(repeat("\"", 4_097));
        corpus.add(repeat("\\", 4_097));
        corpus.add(repeat("%", 4_097));
        corpus.add(repeat("%2", 4_097));
        corpus.add(repeat("\\u", 4_097));
        corpus.add(repeat("&#x", 4_097));
        corpus.add(repeat("+", 4_097));
        corpus.add("{\"a\":\"never ends".getBytes(StandardCharsets.UTF_8));
        corpus.add("{\"a\":1e999999999}".getBytes(StandardCharsets.UTF_8));
        corpus.add("\uFEFF{\"a\":\"\uD83D\uDE00\"}".getBytes(StandardCharsets.UTF_8));
        List<byte[]> seeds = new ArrayList<>(cleanPayloads());
        seeds.addAll(blockedPayloads());
        Random random = new Random(FUZZ_SEED);
        while (corpus.size() < FUZZ_CASES) {
            int choice = random.nextInt(4);
            byte[] p;
            if (choice == 0 || seeds.isEmpty()) {
                p = new byte[random.nextInt(2049)];
                random.nextBytes(p);
            } else if (choice == 1) {
                p = new byte[random.nextInt(2049)];
                for (int i = 0; i < p.length; i++) {
                    p[i] = (byte) (0x20 + random.nextInt(0x5F));
                }
            } else if (choice == 2) {
                p = seeds.get(random.nextInt(seeds.size())).clone();
                for (int flips = random.nextInt(8); flips >= 0 && p.length > 0; flips--) {
                    p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
                }
                if (p.length > 0 && random.nextBoolean()) {
                    p = Arrays.copyOf(p, random.nextInt(p.length));
                }
            } else {
                byte[] a = seeds.get(random.nextInt(seeds.size()));
                byte[] b = seeds.get(random.nextInt(seeds.size()));
                int cutA = a.length == 0 ? 0 : random.nextInt(a.length);
                int cutB = b.length == 0 ? 0 : random.nextInt(b.length);
                p = new byte[cutA + b.length - cutB];
                System.arraycopy(a, 0, p, 0, cutA);
                System.arraycopy(b, cutB, p, cutA, b.length - cutB);
            }
            corpus.add(p);
        }
        return corpus;
    }
}
