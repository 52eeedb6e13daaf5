/**
 * Tests a reordering strategy or a link scheduler the way the engine uses it, without a network.
 *
 * <p>{@link org.alagg.testkit.Arrivals} describes what reaches a strategy: a script of sequence numbers, or a random
 * pattern with loss, duplicates, reordering, a start near the wrap at 2^32 and swaps (the strategy drained and a new
 * one made where it stopped). {@link org.alagg.testkit.StrategyCheck} plays it into a
 * {@link org.alagg.api.ReorderStrategyFactory}'s strategies as the engine's ingress thread does and checks what
 * the engine relies on: every packet handle comes back exactly once, in sequence order for an ordering strategy,
 * no more held than the window allows, deadlines honoured, nothing allocated per packet.
 * {@link org.alagg.testkit.SchedulerCheck} does the same for a {@link org.alagg.api.LinkScheduler}, with
 * {@link org.alagg.testkit.TestLinks} as the links' conditions. {@link org.alagg.testkit.RecordingOutput} records
 * what a strategy released, for scripted tests of its own behaviour; {@link org.alagg.testkit.ThreadAllocation} counts
 * what a thread allocates, for a test of any other hot-path code (a transport's send and receive).
 *
 * <p>A broken invariant fails with an {@link java.lang.AssertionError} that names it, the arrival it broke at and
 * the pattern, so that a failure found by a random pattern can be replayed.
 */
@Export
@Version("1.1.0")
package org.alagg.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
