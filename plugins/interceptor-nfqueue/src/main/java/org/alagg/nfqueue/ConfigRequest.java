package org.alagg.nfqueue;

import static org.alagg.nfqueue.Errno.EAGAIN;
import static org.alagg.nfqueue.Errno.EBUSY;
import static org.alagg.nfqueue.Errno.EINVAL;
import static org.alagg.nfqueue.Errno.ENODEV;
import static org.alagg.nfqueue.Errno.ENOENT;
import static org.alagg.nfqueue.Errno.ENOMEM;
import static org.alagg.nfqueue.Errno.ENOTSUPP;
import static org.alagg.nfqueue.Errno.EOPNOTSUPP;
import static org.alagg.nfqueue.Errno.EPERM;

/**
 * The requests Alagg sends with NLM_F_ACK, and what the kernel's answer means for each, so that a failed
 * setup is reported in words an operator can act on. The errno meanings follow nfqnl_recv_config and
 * nfqnl_recv_verdict_batch in net/netfilter/nfnetlink_queue.c (kernel 6.x) and nfnetlink_rcv_msg.
 */
enum ConfigRequest {
    BIND("bind"),
    UNBIND("unbind"),
    PARAMS("set copy mode of"),
    QUEUE_MAXLEN("set the length of"),
    FLAGS("set flags of"),
    VERDICT("send a verdict to");

    private final String verb;

    ConfigRequest(String verb) {
        this.verb = verb;
    }

    /**
     * A sentence for the operator: what failed and the likely cause.
     *
     * @param error the ack's error: a negative (or positive) errno; 0 is not a failure
     */
    String describe(int queue, int error) {
        int errno = Math.abs(error);
        String head = "cannot " + verb + " NFQUEUE " + queue + ": " + Errno.name(errno) + ", ";
        switch (errno) {
            case 0:
                return verb + " NFQUEUE " + queue + ": done";
            case EPERM:
                // the kernel answers EPERM both to a caller without CAP_NET_ADMIN (nfnetlink_rcv_msg) and
                // to any socket other than the owner of an existing queue (nfqnl_recv_config)
                return head + "another program owns NFQUEUE " + queue
                        + " (see /proc/net/netfilter/nfnetlink_queue), or Alagg lacks root / CAP_NET_ADMIN"
                        + " in this network namespace";
            case EBUSY:
                // the owner check comes first (EPERM), so on current kernels EBUSY means this very socket
                // bound it already; only very old kernels (2.6.2x) said EBUSY to other programs too
                return head + "NFQUEUE " + queue + " is already bound by this socket (on very old kernels:"
                        + " another program owns NFQUEUE " + queue + ")";
            case ENODEV:
                return head + "NFQUEUE " + queue + " is not bound (bind it first)";
            case EINVAL:
                return head + "the kernel found the request invalid (FLAGS without MASK, an unknown copy mode,"
                        + " a malformed attribute, or a verdict for a queue in an odd state)";
            case EOPNOTSUPP:
                return head + "this kernel does not support a requested flag (unknown bits, SECCTX without"
                        + " CONFIG_NETWORK_SECMARK, CONNTRACK without nf_conntrack_netlink)";
            case ENOTSUPP:
                return head + "the kernel does not know this config command";
            case EAGAIN:
                return head + "the kernel loaded a module for it; send the request again";
            case ENOENT:
                return head + "no queued packet had an id up to the one named";
            case ENOMEM:
                return head + "the kernel is out of memory";
            default:
                return head + "unexpected answer from nfnetlink_queue";
        }
    }
}
