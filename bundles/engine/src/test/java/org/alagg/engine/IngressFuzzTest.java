package org.alagg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.alagg.api.IpNetwork;
import org.alagg.api.Link;
import org.alagg.api.LinkTransport;
import org.alagg.api.LocalDelivery;
import org.alagg.api.MacAddress;
import org.alagg.api.PacketBatch;
import org.alagg.api.PacketInterceptor;
import org.alagg.api.PayloadType;
import org.alagg.api.ReorderOutput;
import org.alagg.api.ReorderSettings;
import org.alagg.api.ReorderStrategy;
import org.alagg.api.ReorderStrategyFactory;
import org.alagg.protocol.FrameAuth;
import org.alagg.protocol.FrameCodec;
import org.alagg.protocol.FrameType;
import org.alagg.reorder.strict.StrictOrder;
import org.alagg.reorder.windowed.WindowedOrder;

/**
 * Coverage-guided fuzzing of the ingress state machine (docs/fuzzing.md): the receiver rules of docs/protocol.md
 * section 6, the epochs and challenges of section 5, duplicate discard, reordering, hand-overs and the packet pool,
 * under frames an attacker on the links chooses.
 *
 * <p>Two data paths are driven turn by turn on the test thread, without their hot threads, so that a run is
 * repeatable: the genuine peer A captures packets and sends them, the receiver B under test gets them through a wire
 * the fuzzer controls (it delivers, drops, delays, duplicates and replays A's frames) and, mixed in, frames the
 * fuzzer forges: well-formed headers with chosen type, flags, lengths, link, epoch and sequence numbers, tags that
 * are missing, random, copied or made with other keys, mutated copies of genuine frames, and raw bytes. B's own
 * frames (challenges, probe replies) reach A directly, and the attacker sees them too (it replays them to B). A may
 * restart (a new epoch); both sides may rotate keys (docs/protocol.md section 7); B may change strategy and settings,
 * its strategy may be one with a planted bug (it throws at a chosen call), and its local delivery may refuse packets,
 * on the way; time may pass (the challenge interval, the duplicate history's reset timeout) without the run sleeping.
 *
 * <p>After every turn of B: no exception escaped and none was reported (plugin faults, path errors); the counters add
 * up ({@code received = unknown_source + tagless + ... + held}, {@code tagless} = the {@code malformed_*}, the links'
 * {@code frames_received} = {@code received - unknown_source}, {@code passed} and {@code undelivered} as delivery saw
 * them, {@code captured = sent + unsent + too_big + refused} at A); the packet pool holds at most its capacity and
 * exactly what {@code held} says, and a pool given up at a hand-over is empty. With a key: every packet delivered is
 * one A captured, byte for byte, at most once, and in order while a strategy orders them; the epoch B confirms is one
 * of A's runs, never an earlier one than before. With allowed sources: no packet from another source is delivered. At
 * the end B stops (its hand-over) and its pool must be empty.
 *
 * <p>The corpus inputs are read through this harness: a change to what it consumes, or in what order, gives every
 * input of the corpus another meaning (docs/fuzzing.md).
 */
class IngressFuzzTest {
    /** The shared key of docs/protocol.md section 7's example. */
    static final byte[] KEY = range(0, 32);
    /** The key both sides rotate to (docs/protocol.md section 7, "Rotation"); its key id differs from KEY's. */
    static final byte[] NEXT_KEY = range(0x40, 32);
    /** Keys the attacker has: another one, and one whose key id is the same as KEY's. */
    static final byte[] OTHER = range(0x80, 32);
    static final byte[] SAME_ID = sameKeyId(KEY);
    static final List<IpNetwork> ALLOWED = IpNetwork.parseList("10.0.0.0/8, fd00::/8");
    static final int MAX_STEPS = 300;
    static final int MAX_PACKETS = 4000;
    static final int HISTORY = 512;
    static final long MS = 1_000_000;
    /** {@code -Dalagg.fuzz.trace=true}: every step of a run is printed, to read what a finding did. */
    static final boolean TRACE = Boolean.getBoolean("alagg.fuzz.trace");

    @FuzzTest(maxDuration = "5m")
    void ingressStateMachine(FuzzedDataProvider data) {
        new Run(data).run();
    }

    /** One fuzz input: the setup its first bytes choose, then its steps. */
    static final class Run {
        final FuzzedDataProvider data;
        final boolean keyed;
        final boolean sourcesChecked;
        final int links;
        final List<String> problems = new ArrayList<>();
        final List<Throwable> strategyThrew = new ArrayList<>();
        final Side b;
        Side a;
        /** A's frames on their way to B, in the order they will arrive (the fuzzer reorders them). */
        final ArrayDeque<Wire.Frame> inFlight = new ArrayDeque<>();
        /**
         * The last frames each side sent, for replays and for forgeries that copy parts: A's DATA frames, A's probes and
         * replies, B's frames. Kept apart so that an input picks "A's 5th packet" whatever control frames the engine
         * sends in between.
         */
        final List<Wire.Frame> dataOfA = new ArrayList<>();
        final List<Wire.Frame> controlOfA = new ArrayList<>();
        final List<Wire.Frame> framesOfB = new ArrayList<>();
        /** What A captured, by the number in its payload. */
        final Map<Integer, Packet> sent = new HashMap<>();
        final Set<Integer> delivered = new HashSet<>();
        int checkedDeliveries;
        int lastDelivered = -1;
        /** Whether B's deliveries must come in sequence order: a strategy orders them, and always did. */
        boolean ordered;
        int nextPacket;
        int previousEpoch;
        boolean previousEpochKnown;
        final List<PacketPool> givenUp = new ArrayList<>();
        int restarts;
        int swaps;
        /** How far each side is in the key rotation of section 7: 0 key, 1 + key.accept new, 2 swapped, 3 new only. */
        int rotationA;
        int rotationB;
        /** The epoch of each run of A, in order; and the latest run whose epoch B confirmed. */
        final List<Integer> epochsOfA = new ArrayList<>();
        int confirmedRun = -1;

        Run(FuzzedDataProvider data) {
            this.data = data;
            keyed = data.consumeBoolean();
            sourcesChecked = data.consumeBoolean();
            links = data.consumeInt(1, 3);
            int strategy = data.consumeInt(0, 3);
            Trust trust = trust(0, sourcesChecked);
            b = new Side(this, "B", settings(), trust);
            DataPathTest.peer(b.path).strategy = strategy(strategy);
            ordered = DataPathTest.peer(b.path).strategy != null && !((Recorded) DataPathTest.peer(b.path).strategy).faulty();
            trace("setup: key %s, allowed sources %s, %d links, strategy %s, %s", keyed, sourcesChecked, links,
                    DataPathTest.peer(b.path).strategy, DataPathTest.peer(b.path).reordering.settings());
            a = new Side(this, "A", new ReorderSettings(1, 0), trust(0, false));
            epochsOfA.add(DataPathTest.peer(a.path).send.epoch);
            b.wire.to = a.wire;
            trace("A's epoch %08x, B's epoch %08x", DataPathTest.peer(a.path).send.epoch, DataPathTest.peer(b.path).send.epoch);
        }

        /** The keys of a side at a stage of the rotation (none without a key), and the allowed sources. */
        Trust trust(int rotation, boolean sources) {
            List<IpNetwork> allowed = sources ? ALLOWED : List.of();
            if (!keyed) {
                return new Trust(null, null, allowed);
            }
            return switch (rotation) {
                case 0 -> new Trust(KEY, null, allowed);
                case 1 -> new Trust(KEY, NEXT_KEY, allowed);
                case 2 -> new Trust(NEXT_KEY, KEY, allowed);
                default -> new Trust(NEXT_KEY, null, allowed);
            };
        }

        /** One side takes the next step of the rotation, once the other side has taken the one before. */
        void rotate(boolean sideA) {
            if (!keyed) {
                return;
            }
            if (sideA && rotationA < 3 && rotationA <= rotationB) {
                DataPathTest.trustOnly(a.path, trust(++rotationA, false));
                trace("A's keys: rotation step %d", rotationA);
            } else if (!sideA && rotationB < 3 && rotationB <= rotationA) {
                DataPathTest.trustOnly(b.path, trust(++rotationB, sourcesChecked));
                trace("B's keys: rotation step %d", rotationB);
            }
        }

        void trace(String format, Object... args) {
            if (TRACE) {
                System.out.println("  " + String.format(format, args));
            }
        }

        ReorderSettings settings() {
            int window = new int[] {1, 2, 3, 8, 64, 256}[data.consumeInt(0, 5)];
            return new ReorderSettings(window, data.consumeBoolean() ? 0 : 60_000 * MS);
        }

        /** None, strict, windowed, or one of them with a planted bug: it throws at a call the fuzzer chooses. */
        ReorderStrategyFactory strategy(int which) {
            return switch (which) {
                case 0 -> null;
                case 1 -> new Recorded(new StrictOrder(), strategyThrew, 0);
                case 2 -> new Recorded(new WindowedOrder(), strategyThrew, 0);
                default -> new Recorded(data.consumeBoolean() ? new StrictOrder() : new WindowedOrder(), strategyThrew,
                        data.consumeInt(1, 400));
            };
        }

        void run() {
            for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++) {
                step(data.consumeInt(0, 19));
            }
            while (!b.wire.inbox.isEmpty()) {
                turnB();
            }
            b.path.ingress.stopped(); // the data path stops: the strategy hands over what it holds
            check("after B stopped");
            assertEquals(0, DataPathTest.peer(b.path).reordering.pool().held(), "B's pool is empty once B stopped");
            assertConserved(a, "A at the end");
        }

        /**
         * One step. What an input holds, in the order it is consumed (FuzzedDataProvider: each number from the end of
         * the input, one byte when its range is below 256, none when the range is a single value; byte arrays from
         * the front). The set-up: key (boolean), allowed sources (boolean), links (1-3), strategy (0 none, 1 strict,
         * 2 windowed, 3 faulty: then strict (boolean) and the failing call 1-400), window (index 0-5 into 1, 2, 3, 8, 64,
         * 256), timeout 0 (boolean, else 60 s). Then per step the operation (0-19) and its arguments:
         * <pre>
         * 0, 1  A captures: count 1-80, kind 0-2 (IPv4, IPv6, Ethernet), length index 0-5 (40, 60, 200, 1400, 1480,
         *       1481), allowed source (boolean)
         * 2     the next frames in flight arrive and B takes them in: count 1-64
         * 3     the next frame in flight is lost          4  it is delayed: behind 1-200 others
         * 5     it arrives twice (once now)               6, 7  a replay, as sent (6) or changed (7): pick, [changes
         *       1-4, then per change position and xor], same link (boolean) or else link 0-links
         * 8, 9  a forged frame (see forge)                10 raw bytes: length 0-120, bytes, link 0-links
         * 11    B's last challenge echoed as a reply: A's epoch (boolean) or else any epoch (int)
         * 12    pump: B takes in, B sends, A takes in, A sends
         * 13    A restarts                                14 B changes: strategy (boolean) 0-3, or else settings
         * 15    one of A's links goes down or up: link    16 time passes: 100 ms (boolean) or else 500 ms
         * 17    B's delivery: 0 takes all, 1 half, 2 throws
         * 18    flood: times 2-100, pick; B takes them in 19 key rotation step: A (boolean) or else B
         * pick: list 0-2 (A's DATA frames, A's control frames, B's frames), then index 0-(size - 1)
         * </pre>
         */
        void step(int op) {
            switch (op) {
                case 0, 1 -> capture(data.consumeInt(1, 80));
                case 2 -> deliver(data.consumeInt(1, 64));
                case 3 -> {
                    if (!inFlight.isEmpty()) {
                        trace("drop %s", inFlight.removeFirst()); // lost on the way
                    }
                }
                case 4 -> delay(data.consumeInt(1, 200));
                case 5 -> {
                    if (!inFlight.isEmpty()) {
                        trace("duplicate %s", inFlight.peekFirst());
                        b.wire.arrive(inFlight.peekFirst().copy()); // a second copy, the first still coming
                    }
                }
                case 6 -> replay(false);
                case 7 -> replay(true);
                case 8, 9 -> forge();
                case 10 -> {
                    Wire.Frame raw = new Wire.Frame(data.consumeBytes(data.consumeInt(0, 120)), data.consumeInt(0, links));
                    trace("raw bytes %s", raw);
                    b.wire.arrive(raw);
                }
                case 11 -> echoChallenge();
                case 12 -> pump();
                case 13 -> restartA();
                case 14 -> changeB();
                case 15 -> {
                    int link = data.consumeInt(0, links - 1);
                    a.wire.toggle(link);
                    trace("A's link %d %s", link, a.wire.down.contains(link) ? "down" : "up");
                }
                case 16 -> {
                    long by = data.consumeBoolean() ? PeerEpoch.CHALLENGE_INTERVAL_NANOS : Ingress.RESET_NANOS;
                    trace("%d ms pass", by / MS);
                    elapse(a.path, by);
                    elapse(b.path, by);
                }
                case 17 -> {
                    b.sink.mode = data.consumeInt(0, 2);
                    trace("B's delivery %s", new String[] {"takes every packet", "takes half", "throws"}[b.sink.mode]);
                }
                case 18 -> flood(data.consumeInt(2, 100));
                case 19 -> rotate(data.consumeBoolean());
                default -> throw new AssertionError(op);
            }
        }

        /** A captures packets and sends them (into {@link #inFlight}), with its control frames. */
        void capture(int count) {
            int kind = data.consumeInt(0, 2);
            int length = new int[] {40, 60, 200, 1400, 1480, 1481}[data.consumeInt(0, 5)];
            boolean allowed = data.consumeBoolean();
            for (int i = 0; i < count && nextPacket < MAX_PACKETS; i++) {
                Packet p = Packet.make(nextPacket++, kind, length, allowed);
                sent.put(p.id, p);
                a.source.pending.add(p);
            }
            trace("A captures %d %s packets of %d bytes, sources %s", count, PayloadType.values()[kind], length,
                    allowed ? "allowed" : "not allowed");
            while (!a.source.pending.isEmpty()) {
                a.path.egress.turn();
            }
            noteEpochOfA();
            assertConserved(a, "A after capturing");
        }

        /** The next frames from A arrive at B, and B takes them in. */
        void deliver(int count) {
            for (int i = 0; i < count && !inFlight.isEmpty(); i++) {
                trace("deliver %s", inFlight.peekFirst());
                b.wire.arrive(inFlight.removeFirst());
            }
            turnB();
        }

        void delay(int by) {
            if (inFlight.size() > 1) {
                List<Wire.Frame> frames = new ArrayList<>(inFlight);
                Wire.Frame first = frames.remove(0);
                frames.add(Math.min(by, frames.size()), first);
                trace("delay by %d: %s", Math.min(by, frames.size()), first);
                inFlight.clear();
                inFlight.addAll(frames);
            }
        }

        /** Records a frame a side sent, the last HISTORY of each kind. */
        void saw(Wire.Frame f) {
            List<Wire.Frame> list = f.fromB ? framesOfB : f.bytes[1] == FrameType.DATA.code() ? dataOfA : controlOfA;
            if (list.size() == HISTORY) {
                list.remove(0);
            }
            list.add(f);
        }

        /** A frame a side sent earlier, as the input picks it: A's data, A's control frames, or B's; null: none yet. */
        Wire.Frame pickSeen() {
            List<Wire.Frame> list = List.of(dataOfA, controlOfA, framesOfB).get(data.consumeInt(0, 2));
            return list.isEmpty() ? null : list.get(data.consumeInt(0, list.size() - 1));
        }

        /** A frame either side sent earlier arrives again, as it was or with bytes changed, on any link. */
        void replay(boolean mutate) {
            Wire.Frame old = pickSeen();
            if (old == null) {
                return;
            }
            byte[] bytes = old.bytes.clone();
            int changes = mutate ? data.consumeInt(1, 4) : 0;
            for (int i = 0; i < changes && bytes.length > 0; i++) {
                bytes[data.consumeInt(0, bytes.length - 1)] ^= (byte) data.consumeInt(1, 255);
            }
            int link = data.consumeBoolean() ? old.link : data.consumeInt(0, links);
            Wire.Frame again = new Wire.Frame(bytes, link);
            trace("replay%s %s as %s", mutate ? " (changed)" : "", old, again);
            b.wire.arrive(again);
        }

        /** One frame either side sent, many times over, at once. */
        void flood(int times) {
            Wire.Frame old = pickSeen();
            if (old == null) {
                return;
            }
            trace("flood: %d times %s", times, old);
            for (int i = 0; i < times; i++) {
                b.wire.arrive(old.copy());
            }
            turnB();
        }

        /** A well-formed frame with fields the fuzzer chooses, near A's own values or anywhere. */
        void forge() {
            int type = data.consumeInt(1, 3);
            int protocol = type == 1 ? data.consumeInt(1, 3) : 0;
            int inner = data.consumeInt(type == 1 ? 1 : 12, 1600);
            int epoch = switch (data.consumeInt(0, 3)) {
                case 0 -> DataPathTest.peer(a.path).send.epoch;
                case 1 -> previousEpochKnown ? previousEpoch : DataPathTest.peer(a.path).send.epoch + 1;
                case 2 -> DataPathTest.peer(b.path).send.epoch;
                default -> data.consumeInt();
            };
            int global = data.consumeBoolean() ? DataPathTest.peer(a.path).send.nextSequence + data.consumeInt(-70_000, 70_000)
                    : data.consumeInt();
            int tagChoice = data.consumeInt(0, 4);
            int tag = switch (tagChoice) {
                case 0 -> 0;
                case 1 -> data.consumeInt(1, 255);
                default -> FrameAuth.TAG_LENGTH;
            };
            int padding = data.consumeInt(0, 40);
            byte[] frame = new byte[FrameCodec.HEADER_LENGTH + inner + tag + padding];
            ByteBuffer buf = ByteBuffer.wrap(frame);
            buf.put(0, (byte) 1).put(1, (byte) type).put(2, (byte) (tag != 0 ? 1 : 0)).put(3, (byte) protocol)
                    .putShort(4, (short) inner).put(6, (byte) data.consumeInt(0, 255)).put(7, (byte) tag)
                    .putInt(8, epoch).putInt(12, global).putInt(16, data.consumeInt());
            if (data.consumeBoolean() && !sent.isEmpty()) { // the payload of a genuine packet
                Packet p = sent.get(data.consumeInt(0, nextPacket - 1));
                if (p != null) {
                    System.arraycopy(p.bytes, 0, frame, FrameCodec.HEADER_LENGTH, Math.min(inner, p.bytes.length));
                }
            } else {
                byte[] payload = data.consumeBytes(inner);
                System.arraycopy(payload, 0, frame, FrameCodec.HEADER_LENGTH, payload.length);
            }
            int tagAt = FrameCodec.HEADER_LENGTH + inner;
            switch (tagChoice) {
                case 1 -> {
                    byte[] bytes = data.consumeBytes(tag);
                    System.arraycopy(bytes, 0, frame, tagAt, bytes.length);
                }
                case 2, 3 -> {
                    FrameAuth wrong = new FrameAuth(tagChoice == 2 ? OTHER : SAME_ID);
                    wrong.digestPayload(buf, 0, inner);
                    int link = data.consumeInt(0, links - 1); // as A would sign it on that link, but another key
                    wrong.sign(buf, 0, inner, mac("A", link).toLong(), mac("B", link).toLong());
                }
                case 4 -> { // the tag of a genuine frame
                    Wire.Frame old = pickSeen();
                    if (old != null) {
                        int oldInner = (old.bytes.length >= 8) ? (old.bytes[4] & 0xFF) << 8 | old.bytes[5] & 0xFF : 0;
                        int from = FrameCodec.HEADER_LENGTH + oldInner;
                        if ((old.bytes.length >= 8 && old.bytes[7] == FrameAuth.TAG_LENGTH)
                                && from + FrameAuth.TAG_LENGTH <= old.bytes.length) {
                            System.arraycopy(old.bytes, from, frame, tagAt, FrameAuth.TAG_LENGTH);
                        }
                    }
                }
                default -> {
                }
            }
            Wire.Frame forged = new Wire.Frame(frame, data.consumeInt(0, links));
            trace("forge (tag choice %d) %s", tagChoice, forged);
            b.wire.arrive(forged);
        }

        /** A PROBE_REPLY that echoes the last challenge B sent (an attacker on the link sees it), in a chosen epoch. */
        void echoChallenge() {
            for (int i = framesOfB.size() - 1; i >= 0; i--) {
                Wire.Frame f = framesOfB.get(i);
                if (f.bytes[1] == FrameType.PROBE.code()) {
                    byte[] reply = f.bytes.clone();
                    ByteBuffer r = ByteBuffer.wrap(reply);
                    r.put(1, (byte) FrameType.PROBE_REPLY.code());
                    r.putInt(8, data.consumeBoolean() ? DataPathTest.peer(a.path).send.epoch : data.consumeInt());
                    Wire.Frame echo = new Wire.Frame(reply, f.link);
                    trace("echo B's challenge %s as %s", f, echo);
                    b.wire.arrive(echo);
                    return;
                }
            }
        }

        /** Both sides take in what waits for them and send what they have to send. */
        void pump() {
            trace("pump: B takes in, B sends, A takes in, A sends");
            turnB();
            b.path.egress.turn();
            a.path.ingress.turn();
            a.path.egress.turn();
            noteEpochOfA();
        }

        /** A's epoch, should its egress have started a new one (the end of its sequence). */
        void noteEpochOfA() {
            if (epochsOfA.get(epochsOfA.size() - 1) != DataPathTest.peer(a.path).send.epoch) {
                epochsOfA.add(DataPathTest.peer(a.path).send.epoch);
            }
        }

        /** The peer restarts: a new run of A, a new epoch, its numbers from 0 again; what it sent is still around. */
        void restartA() {
            if (restarts++ >= 3) {
                return;
            }
            previousEpoch = DataPathTest.peer(a.path).send.epoch;
            previousEpochKnown = true;
            a = new Side(this, "A", new ReorderSettings(1, 0), DataPathTest.peer(a.path).trust);
            epochsOfA.add(DataPathTest.peer(a.path).send.epoch);
            b.wire.to = a.wire;
            trace("A restarts in epoch %08x", DataPathTest.peer(a.path).send.epoch);
        }

        /** B's strategy or its settings change while it holds packets. */
        void changeB() {
            if (swaps++ >= 4) {
                return;
            }
            if (data.consumeBoolean()) {
                DataPathTest.peer(b.path).strategy = strategy(data.consumeInt(0, 3));
                ordered &= DataPathTest.peer(b.path).strategy != null && !((Recorded) DataPathTest.peer(b.path).strategy).faulty();
                trace("B's strategy becomes %s", DataPathTest.peer(b.path).strategy);
            } else {
                Reordering current = DataPathTest.peer(b.path).reordering;
                DataPathTest.peer(b.path).reordering = Reordering.of(settings(), current, Long.MAX_VALUE);
                trace("B's settings become %s", DataPathTest.peer(b.path).reordering.settings());
                if (DataPathTest.peer(b.path).reordering.pool() != current.pool()) {
                    givenUp.add(current.pool());
                }
            }
        }

        void turnB() {
            Map<String, Long> before = TRACE ? b.path.receiveTotals() : null;
            b.path.ingress.turn();
            if (TRACE) {
                Map<String, Long> after = b.path.receiveTotals();
                after.replaceAll((name, value) -> value - before.get(name));
                after.values().removeIf(v -> v == 0);
                trace("B takes in: %s; B's peer epoch %s", after,
                        DataPathTest.peer(b.path).receive.peerEpochKnown ? String.format("%08x", DataPathTest.peer(b.path).receive.peerEpoch) : "unknown");
            }
            check("after a turn of B");
        }

        void check(String when) {
            problems.removeIf(p -> p.equals("deliver: " + Sink.REFUSED) || p.contains(Recorded.PLANTED));
            if (!problems.isEmpty() || !strategyThrew.isEmpty()) {
                AssertionError e = new AssertionError(when + ": " + problems);
                strategyThrew.forEach(e::addSuppressed);
                throw e;
            }
            assertConserved(b, when);
            PacketPool pool = DataPathTest.peer(b.path).reordering.pool();
            assertTrue(pool.held() >= 0 && pool.held() <= pool.capacity(), when + ": pool holds " + pool.held());
            assertEquals(pool.held(), b.path.receiveTotals().get("held"), when + ": held is what the pool holds");
            for (PacketPool old : givenUp) {
                assertEquals(0, old.held(), when + ": a pool given up at a hand-over still holds packets");
            }
            if (keyed && DataPathTest.peer(b.path).receive.peerEpochKnown) {
                int epoch = DataPathTest.peer(b.path).receive.peerEpoch;
                int run = epochsOfA.lastIndexOf(epoch);
                assertTrue(run >= 0, when + ": B confirmed epoch " + Integer.toHexString(epoch) + ", which no run of A had"
                        + " (A's: " + hexes(epochsOfA) + ", B's own: " + Integer.toHexString(DataPathTest.peer(b.path).send.epoch) + ")");
                assertTrue(run >= confirmedRun, when + ": B went back from A's run " + confirmedRun + " to run " + run);
                confirmedRun = run;
            }
            Map<String, Long> in = b.path.receiveTotals();
            assertEquals(in.get("passed"), (long) b.sink.packets.size(), when + ": passed is what was handed to delivery");
            assertEquals(in.get("undelivered"), (long) b.sink.packets.size() - b.sink.accepted,
                    when + ": undelivered is what delivery refused");
            for (; checkedDeliveries < b.sink.packets.size(); checkedDeliveries++) {
                checkDelivered(b.sink.packets.get(checkedDeliveries), b.sink.types.get(checkedDeliveries), when);
            }
        }

        void checkDelivered(byte[] packet, PayloadType type, String when) {
            if (sourcesChecked) {
                assertTrue(Packet.sourceAllowed(packet, type), when + ": delivered from a source not allowed: "
                        + type + " " + hex(packet));
            }
            if (!keyed) {
                return; // without a key anyone on the link may inject: nothing more to hold the receiver to
            }
            int id = packet.length >= 8 ? ByteBuffer.wrap(packet).getInt(4) : -1;
            Packet original = sent.get(id);
            assertTrue(original != null && Arrays.equals(original.bytes, packet) && original.type == type,
                    when + ": delivered a packet A never sent: " + type + " " + hex(packet));
            assertTrue(delivered.add(id), when + ": packet " + id + " delivered twice");
            if (ordered) {
                assertTrue(id > lastDelivered, when + ": packet " + id + " delivered after " + lastDelivered);
            }
            lastDelivered = id;
        }

        /** The conservation rules of README "What the counters mean", on one side. */
        void assertConserved(Side p, String when) {
            Map<String, Long> out = p.path.sendTotals();
            assertEquals(out.get("captured"), out.get("sent") + out.get("unsent") + out.get("too_big") + out.get("refused"),
                    when + ": " + p.name + " captured = sent + unsent + too_big + refused: " + out);
            Map<String, Long> in = p.path.receiveTotals();
            long parts = 0;
            for (String name : new String[] {"unknown_source", "tagless", "auth_missing", "auth_failed", "probes",
                    "stale_epoch", "epoch_unconfirmed", "discarded", "rogue", "overflow", "passed",
                    "source_not_allowed", "late", "held"}) {
                parts += in.get(name);
            }
            assertEquals(in.get("received") + in.get("fec_repaired"), parts + in.get("fec_parity_received"),
                    when + ": " + p.name + " received (+ repaired) = the sum of its parts: " + in);
            long malformed = in.entrySet().stream().filter(e -> e.getKey().startsWith("malformed_"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertEquals(in.get("tagless"), malformed, when + ": " + p.name + " tagless = the malformed_*: " + in);
            long perLink = 0;
            for (OpenLink link : p.path.links) {
                perLink += link.received.snapshot().get("frames_received");
            }
            assertEquals(in.get("received") - in.get("unknown_source"), perLink,
                    when + ": " + p.name + " links' frames_received = received - unknown_source: " + in);
        }
    }

    /** One side: a data path that is never started, its turns run by the test. */
    static final class Side {
        final String name;
        final DataPath path;
        final Wire wire;
        final Source source = new Source();
        final Sink sink = new Sink();

        Side(Run run, String name, ReorderSettings settings, Trust trust) {
            this.name = name;
            this.path = DataPathTest.onePeer(Reordering.of(settings, null, Long.MAX_VALUE), run.problems::add);
            this.wire = new Wire(run, name.equals("B"));
            path.interceptor = source;
            path.delivery = sink;
            path.transport = wire;
            DataPathTest.links(path, run.links, id -> wire.open(id, "l" + id, mac(name.equals("B") ? "A" : "B", id), 0x88B5));
            DataPathTest.trustOnly(path, trust);
        }
    }

    /** A side's Ethernet address on a link: 02:00:00:00:0a:0N for A, 02:00:00:00:0b:0N for B. */
    static MacAddress mac(String side, int link) {
        return MacAddress.parse("02:00:00:00:0" + side.toLowerCase(java.util.Locale.ROOT) + ":0" + link);
    }

    /** A packet A captures: its number at bytes 4-7, a source address allowed or not, bytes that depend on both. */
    record Packet(int id, PayloadType type, byte[] bytes) {
        static Packet make(int id, int kind, int length, boolean allowed) {
            PayloadType type = PayloadType.values()[kind];
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) (id * 31 + i * 7);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            switch (type) {
                case IPV4 -> b.put(0, (byte) 0x45).putInt(12, allowed ? 0x0A000001 : 0xC0A80001);
                case IPV6 -> b.put(0, (byte) 0x60).putLong(8, allowed ? 0xFD00000000000000L : 0x20010DB800000000L)
                        .putLong(16, 1);
                default -> b.putShort(12, (short) 0x0800).put(14, (byte) 0x45)
                        .putInt(26, allowed ? 0x0A000001 : 0xC0A80001);
            }
            b.putInt(4, id);
            return new Packet(id, type, bytes);
        }

        /** The test's own reading of "allowed sources" (10.0.0.0/8, fd00::/8) for any delivered packet. */
        static boolean sourceAllowed(byte[] p, PayloadType type) {
            int ip = 0;
            if (type == PayloadType.ETHERNET) {
                if (p.length < 14) {
                    return false;
                }
                int typeAt = 12;
                int etherType = (p[12] & 0xFF) << 8 | p[13] & 0xFF;
                if (etherType == 0x8100) {
                    if (p.length < 18) {
                        return false;
                    }
                    typeAt = 16;
                    etherType = (p[16] & 0xFF) << 8 | p[17] & 0xFF;
                }
                if (etherType != 0x0800 && etherType != 0x86DD) {
                    return true; // no IP source to check (ARP and the like)
                }
                ip = typeAt + 2;
                type = etherType == 0x0800 ? PayloadType.IPV4 : PayloadType.IPV6;
            }
            int version = type == PayloadType.IPV4 ? 4 : 6;
            int sourceAt = ip + (version == 4 ? 12 : 8);
            int sourceLength = version == 4 ? 4 : 16;
            if (p.length < sourceAt + sourceLength || (p[ip] & 0xF0) >>> 4 != version) {
                return false;
            }
            return version == 4 ? p[sourceAt] == 10 : (p[sourceAt] & 0xFF) == 0xFD;
        }
    }

    /** A's packets, captured when the test says; returns at once. */
    static final class Source implements PacketInterceptor {
        final ArrayDeque<Packet> pending = new ArrayDeque<>();

        @Override
        public int capture(PacketBatch batch, long timeoutNanos) {
            while (!batch.isFull() && !pending.isEmpty()) {
                Packet p = pending.removeFirst();
                batch.slot(batch.size()).put(0, p.bytes);
                batch.commit(p.bytes.length, p.type, -1);
            }
            return batch.size();
        }

        @Override
        public void wakeup() {
        }

        @Override
        public void open(int maxPacketLength) {
        }

        @Override
        public void close() {
        }
    }

    /** Local delivery: keeps every packet handed to it; takes them all (mode 0), half (1), or throws (2). */
    static final class Sink implements LocalDelivery {
        static final String REFUSED = "refused by the test";
        final List<byte[]> packets = new ArrayList<>();
        final List<PayloadType> types = new ArrayList<>();
        long accepted;
        int mode;

        @Override
        public int deliver(PacketBatch batch) throws IOException {
            for (int i = 0; i < batch.size(); i++) {
                byte[] p = new byte[batch.length(i)];
                batch.packet(i).get(0, p);
                packets.add(p);
                types.add(batch.payload(i));
            }
            if (mode == 2) {
                throw new IOException(REFUSED);
            }
            int taken = mode == 1 ? batch.size() / 2 : batch.size();
            accepted += taken;
            return taken;
        }
    }

    /**
     * Lets {@code nanos} pass for a side's ingress as far as the times it keeps go: the last challenge and the last
     * passing frame (Ingress reads System.nanoTime itself, and a run must not sleep). Reflection, so that the engine
     * keeps no test hook; update the names here if they change.
     */
    static void elapse(DataPath path, long nanos) {
        PeerReceive receive = DataPathTest.peer(path).receive;
        shift(read(PeerReceive.class, "epochs", receive), PeerEpoch.class, "challengeSentNanos", nanos);
        shift(read(PeerReceive.class, "history", receive), DuplicateDiscard.class, "lastPassNanos", nanos);
    }

    private static Object read(Class<?> type, String name, Object from) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(from);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("IngressFuzzTest.elapse: no field " + type.getSimpleName() + "." + name, e);
        }
    }

    private static void shift(Object target, Class<?> type, String name, long nanos) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            f.setLong(target, f.getLong(target) - nanos);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("IngressFuzzTest.elapse: no field " + type.getSimpleName() + "." + name, e);
        }
    }

    /**
     * One side's links: what it sends goes to the other side's inbox (B to A) or onto {@link Run#inFlight} (A to B,
     * where the fuzzer decides); what waits in its inbox is received at once, never a wait.
     */
    static final class Wire implements LinkTransport {
        record Frame(byte[] bytes, int link, boolean fromB) {
            Frame(byte[] bytes, int link) {
                this(bytes, link, false);
            }

            Frame copy() {
                return new Frame(bytes.clone(), link, fromB);
            }

            @Override
            public String toString() {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                String header = bytes.length < FrameCodec.HEADER_LENGTH ? hex(bytes)
                        : String.format("type %d epoch %08x global %d link seq %d inner %d tag %d", bytes[1], b.getInt(8),
                        b.getInt(12), b.getInt(16), b.getShort(4) & 0xFFFF, bytes[7] & 0xFF);
                return (fromB ? "B's " : "") + "frame on link " + link + " [" + header + "]";
            }
        }

        final Run run;
        final boolean isB;
        final ArrayDeque<Frame> inbox = new ArrayDeque<>();
        final Set<Integer> down = new HashSet<>();
        Wire to;

        Wire(Run run, boolean isB) {
            this.run = run;
            this.isB = isB;
        }

        void arrive(Frame f) {
            inbox.add(f);
        }

        void toggle(int link) {
            if (!down.remove(link)) {
                down.add(link);
            }
        }

        @Override
        public Link open(int id, String interfaceName, MacAddress peer, int etherType) {
            return new TestLink(id, interfaceName, peer, mac(isB ? "B" : "A", id), down::contains);
        }

        @Override
        public int send(PacketBatch frames) {
            for (int i = 0; i < frames.size(); i++) {
                byte[] bytes = new byte[frames.length(i)];
                frames.packet(i).get(0, bytes);
                Frame f = new Frame(bytes, frames.link(i), isB);
                if (isB) {
                    to.arrive(f);
                } else {
                    run.inFlight.add(f);
                }
                run.saw(f);
            }
            return frames.size();
        }

        @Override
        public int receive(PacketBatch frames, long timeoutNanos) {
            while (!frames.isFull() && !inbox.isEmpty()) {
                Frame f = inbox.removeFirst();
                ByteBuffer slot = frames.slot(frames.size());
                int length = Math.min(f.bytes.length, slot.capacity()); // as the kernel truncates to the buffer
                slot.put(0, f.bytes, 0, length);
                frames.commit(length, null, f.link);
            }
            return frames.size();
        }

        @Override
        public void wakeup() {
        }
    }

    /**
     * A real strategy whose exceptions are kept with their stack traces (the engine reports only the message); with
     * {@code throwAt} > 0, a plugin with a bug: its {@code throwAt}-th call (create, accept, deadline, expire or
     * drain) throws, which the engine must survive (README, "When a plugin fails").
     */
    static final class Recorded implements ReorderStrategyFactory {
        static final String PLANTED = "a fault the fuzz test planted";
        final ReorderStrategyFactory factory;
        final List<Throwable> threw;
        final int throwAt;
        int calls;

        Recorded(ReorderStrategyFactory factory, List<Throwable> threw, int throwAt) {
            this.factory = factory;
            this.threw = threw;
            this.throwAt = throwAt;
        }

        boolean faulty() {
            return throwAt > 0;
        }

        @Override
        public ReorderStrategy create(ReorderSettings settings, int nextSequence) {
            planted();
            ReorderStrategy s = factory.create(settings, nextSequence);
            return new ReorderStrategy() {
                @Override
                public void accept(int sequence, int packet, long nowNanos, ReorderOutput out) {
                    guard(() -> s.accept(sequence, packet, nowNanos, out));
                }

                @Override
                public long deadline() {
                    planted();
                    return s.deadline();
                }

                @Override
                public void expire(long nowNanos, ReorderOutput out) {
                    guard(() -> s.expire(nowNanos, out));
                }

                @Override
                public void drain(ReorderOutput out) {
                    guard(() -> s.drain(out));
                }
            };
        }

        private void planted() {
            if (++calls == throwAt) {
                throw new IllegalStateException(PLANTED);
            }
        }

        private void guard(Runnable call) {
            planted();
            try {
                call.run();
            } catch (RuntimeException | Error e) {
                threw.add(e);
                throw e;
            }
        }

        @Override
        public String toString() {
            return factory.getClass().getSimpleName() + (faulty() ? " throwing at call " + throwAt : "");
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 48); i++) {
            s.append(String.format("%02x", bytes[i]));
        }
        return s + (bytes.length > 48 ? "... (" + bytes.length + " bytes)" : "");
    }

    static String hexes(List<Integer> values) {
        return values.stream().map(Integer::toHexString).toList().toString();
    }

    static byte[] range(int first, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    /** A key other than {@code key} whose key id is the same. */
    static byte[] sameKeyId(byte[] key) {
        int id = new FrameAuth(key).keyId();
        for (int i = 1; ; i++) {
            byte[] candidate = key.clone();
            candidate[0] = (byte) i;
            candidate[1] = (byte) (i >>> 8);
            if (new FrameAuth(candidate).keyId() == id) {
                return candidate;
            }
        }
    }
}
