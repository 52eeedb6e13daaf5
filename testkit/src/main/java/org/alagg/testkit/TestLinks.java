package org.alagg.testkit;

import java.util.Arrays;

import org.alagg.api.LinkConditions;
import org.alagg.api.LinkState;

/**
 * Link conditions set by a test, for a {@link org.alagg.api.LinkScheduler}: every link is {@link LinkState#DOWN} with
 * unknown figures (-1) until {@link #set}, with no weight configured and tier 0. Ids from 0 to 1023 (the engine's are
 * below {@link org.alagg.api.LinkScheduler#MAX_LINK_ID}).
 */
public final class TestLinks implements LinkConditions {
    /** One more than the largest link id. */
    public static final int MAX_LINKS = 1024;

    private final LinkState[] states = new LinkState[MAX_LINKS];
    private final long[] rtts = new long[MAX_LINKS];
    private final int[] lossTo = new int[MAX_LINKS];
    private final int[] lossFrom = new int[MAX_LINKS];
    private final long[] since = new long[MAX_LINKS];
    private final int[] weights = new int[MAX_LINKS];
    private final int[] tiers = new int[MAX_LINKS];

    public TestLinks() {
        Arrays.fill(states, LinkState.DOWN);
        Arrays.fill(rtts, -1);
        Arrays.fill(lossTo, -1);
        Arrays.fill(lossFrom, -1);
        Arrays.fill(since, System.nanoTime());
    }

    /**
     * Sets what the probes say of link {@code id}.
     *
     * @param rttNanos smoothed round trip, -1 when unknown
     * @param lossToPeerPpm loss towards the peer over the last 2 s, parts per million, -1 when unknown
     * @param lossFromPeerPpm loss from the peer over the last 2 s, parts per million, -1 when unknown
     * @return this
     */
    public TestLinks set(int id, LinkState state, long rttNanos, int lossToPeerPpm, int lossFromPeerPpm) {
        checkId(id);
        if (state == null) {
            throw new IllegalArgumentException("link " + id + ": a state is needed");
        }
        if (states[id] != state) {
            since[id] = System.nanoTime();
        }
        states[id] = state;
        rtts[id] = rttNanos;
        lossTo[id] = lossToPeerPpm;
        lossFrom[id] = lossFromPeerPpm;
        return this;
    }

    /**
     * Sets when link {@code id}'s state last changed ({@link System#nanoTime()} scale); {@link #set} sets it to now when
     * the state changes.
     *
     * @return this
     * @since 1.1
     */
    public TestLinks since(int id, long stateSinceNanos) {
        checkId(id);
        since[id] = stateSinceNanos;
        return this;
    }

    /**
     * Configures link {@code id}'s weight (0: not configured) and tier.
     *
     * @return this
     * @since 1.1
     */
    public TestLinks configure(int id, int weight, int tier) {
        checkId(id);
        if (weight < 0 || tier < 0) {
            throw new IllegalArgumentException("link " + id + ": weight and tier must not be negative");
        }
        weights[id] = weight;
        tiers[id] = tier;
        return this;
    }

    @Override
    public long stateSinceNanos(int link) {
        return known(link) ? since[link] : System.nanoTime();
    }

    @Override
    public int weight(int link) {
        return known(link) ? weights[link] : 0;
    }

    @Override
    public int tier(int link) {
        return known(link) ? tiers[link] : 0;
    }

    @Override
    public LinkState state(int link) {
        return known(link) ? states[link] : LinkState.DOWN;
    }

    @Override
    public long rttNanos(int link) {
        return known(link) ? rtts[link] : -1;
    }

    @Override
    public int lossToPeerPpm(int link) {
        return known(link) ? lossTo[link] : -1;
    }

    @Override
    public int lossFromPeerPpm(int link) {
        return known(link) ? lossFrom[link] : -1;
    }

    private static boolean known(int link) {
        return link >= 0 && link < MAX_LINKS;
    }

    private static void checkId(int id) {
        if (!known(id)) {
            throw new IllegalArgumentException("link id " + id + " is outside 0.." + (MAX_LINKS - 1));
        }
    }
}
