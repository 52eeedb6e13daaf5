package org.alagg.engine;

import java.util.function.IntPredicate;

import org.alagg.api.Link;
import org.alagg.api.LinkState;
import org.alagg.api.MacAddress;

/**
 * The link of the engine's in-memory test wires: MTU 1500, UP unless {@code down} says its id is down.
 *
 * @param local this side's address; a looped-back wire gives the peer's, so both ends have the same one
 */
record TestLink(int id, String interfaceName, MacAddress peer, MacAddress local, IntPredicate down) implements Link {
    @Override
    public LinkState state() {
        return down.test(id) ? LinkState.DOWN : LinkState.UP;
    }

    @Override
    public String stateDetail() {
        return "";
    }

    @Override
    public int mtu() {
        return 1500;
    }

    @Override
    public void close() {
    }
}
