package org.alagg.nfqueue;

import static org.alagg.nfqueue.Netlink.AF_UNSPEC;
import static org.alagg.nfqueue.Netlink.NLA_HDRLEN;
import static org.alagg.nfqueue.Netlink.NLM_F_ACK;
import static org.alagg.nfqueue.Netlink.NLM_F_REQUEST;
import static org.alagg.nfqueue.Netlink.OFFSET_ATTRIBUTES;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The nfnetlink_queue messages Alagg sends ({@code include/uapi/linux/netfilter/nfnetlink_queue.h}),
 * encoded into caller-provided buffers at absolute indexes: nothing is allocated, the buffer's position,
 * limit and order are left alone, padding bytes are zeroed so a reused buffer is safe.
 *
 * <p>Configuration requests carry {@code NLM_F_REQUEST | NLM_F_ACK}: the kernel answers each with an
 * {@code NLMSG_ERROR} message whose error is 0 or a negative errno, matched by sequence number with
 * {@link PendingRequests}. Verdicts carry {@code NLM_F_REQUEST} only: an ack per verdict would double the
 * system calls; the kernel still reports a failed verdict with an error message (netlink_rcv_skb acks
 * every failure), which {@link CaptureConverter} counts.
 */
final class NfqueueMessages {
    // enum nfqnl_msg_types
    static final int MSG_PACKET = 0;
    static final int MSG_VERDICT = 1;
    static final int MSG_CONFIG = 2;
    static final int MSG_VERDICT_BATCH = 3;

    // enum nfqnl_attr_type (packet and verdict messages)
    static final int NFQA_PACKET_HDR = 1;
    static final int NFQA_VERDICT_HDR = 2;
    static final int NFQA_MARK = 3;
    static final int NFQA_TIMESTAMP = 4;
    static final int NFQA_IFINDEX_INDEV = 5;
    static final int NFQA_IFINDEX_OUTDEV = 6;
    static final int NFQA_HWADDR = 9;
    static final int NFQA_PAYLOAD = 10;
    static final int NFQA_CAP_LEN = 13;
    static final int NFQA_SKB_INFO = 14;
    static final int NFQA_UID = 16;

    /** struct nfqnl_msg_packet_hdr is packed: be32 packet_id, be16 hw_protocol, u8 hook. */
    static final int PACKET_HDR_LENGTH = 7;
    /** struct nfqnl_msg_verdict_hdr: be32 verdict, be32 id. */
    static final int VERDICT_HDR_LENGTH = 8;

    // NFQA_SKB_INFO flags
    static final int SKB_CSUMNOTREADY = 1;
    static final int SKB_GSO = 1 << 1;
    static final int SKB_CSUM_NOTVERIFIED = 1 << 2;

    // enum nfqnl_attr_config
    static final int NFQA_CFG_CMD = 1;
    static final int NFQA_CFG_PARAMS = 2;
    static final int NFQA_CFG_QUEUE_MAXLEN = 3;
    static final int NFQA_CFG_MASK = 4;
    static final int NFQA_CFG_FLAGS = 5;

    // enum nfqnl_msg_config_cmds
    static final int CMD_BIND = 1;
    static final int CMD_UNBIND = 2;
    /**
     * Obsolete: current kernels answer PF_BIND / PF_UNBIND with success and do nothing
     * (nfnetlink_queue.c, nfqnl_recv_config: "Obsolete commands without queue context").
     * Old libnetfilter_queue programs still send them; Alagg does not.
     */
    static final int CMD_PF_BIND = 3;
    /** Obsolete, see {@link #CMD_PF_BIND}. */
    static final int CMD_PF_UNBIND = 4;

    // enum nfqnl_config_mode
    static final int COPY_NONE = 0;
    static final int COPY_META = 1;
    static final int COPY_PACKET = 2;
    /** The copy range to ask for; the kernel clamps it to 0xffff - NLA_HDRLEN (nfqnl_set_mode). */
    static final int MAX_COPY_RANGE = 0xFFFF;

    // NFQA_CFG_FLAGS bits
    static final int F_FAIL_OPEN = 1;
    static final int F_CONNTRACK = 1 << 1;
    static final int F_GSO = 1 << 2;
    static final int F_UID_GID = 1 << 3;
    static final int F_SECCTX = 1 << 4;

    // netfilter verdicts (include/uapi/linux/netfilter.h)
    static final int NF_DROP = 0;
    static final int NF_ACCEPT = 1;

    // message lengths: nlmsghdr 16 + nfgenmsg 4 + aligned attributes
    static final int CMD_LENGTH = OFFSET_ATTRIBUTES + NLA_HDRLEN + 4;
    static final int PARAMS_LENGTH = OFFSET_ATTRIBUTES + Netlink.align(NLA_HDRLEN + 5);
    static final int QUEUE_MAXLEN_LENGTH = OFFSET_ATTRIBUTES + NLA_HDRLEN + 4;
    static final int FLAGS_LENGTH = OFFSET_ATTRIBUTES + 2 * (NLA_HDRLEN + 4);
    static final int VERDICT_LENGTH = OFFSET_ATTRIBUTES + NLA_HDRLEN + VERDICT_HDR_LENGTH;
    /** The longest message encoded here: a buffer this size holds any one of them. */
    static final int MAX_LENGTH = Math.max(FLAGS_LENGTH, Math.max(PARAMS_LENGTH, VERDICT_LENGTH));

    private NfqueueMessages() {
    }

    /** The netlink message type of an nfnetlink_queue message: subsystem 3 in the high byte. */
    static int type(int msg) {
        return Netlink.NFNL_SUBSYS_QUEUE << 8 | msg;
    }

    /** CONFIG with CMD BIND: takes {@code queue} for this socket. EPERM if another socket owns it. */
    static int bind(ByteBuffer dst, int offset, int queue, int seq) {
        return command(dst, offset, queue, seq, CMD_BIND);
    }

    /** CONFIG with CMD UNBIND: releases {@code queue} (closing the socket does too). */
    static int unbind(ByteBuffer dst, int offset, int queue, int seq) {
        return command(dst, offset, queue, seq, CMD_UNBIND);
    }

    private static int command(ByteBuffer dst, int offset, int queue, int seq, int command) {
        int at = config(dst, offset, CMD_LENGTH, queue, seq);
        Netlink.putAttributeHeader(dst, at, NFQA_CFG_CMD, 4);
        dst.put(at + NLA_HDRLEN, (byte) command);
        dst.put(at + NLA_HDRLEN + 1, (byte) 0); // _pad
        Netlink.putBeShort(dst, at + NLA_HDRLEN + 2, AF_UNSPEC); // pf: only PF_[UN]BIND read it
        return CMD_LENGTH;
    }

    /**
     * CONFIG with PARAMS {be32 copy_range, u8 copy_mode}. A new queue is COPY_NONE and refuses packets
     * until this is sent; Alagg needs {@link #COPY_PACKET} with {@link #MAX_COPY_RANGE}.
     */
    static int params(ByteBuffer dst, int offset, int queue, int seq, int copyMode, int copyRange) {
        if (copyMode < COPY_NONE || copyMode > COPY_PACKET) {
            throw new IllegalArgumentException("copy mode " + copyMode + " is none of 0 (none), 1 (meta), 2 (packet)");
        }
        int at = config(dst, offset, PARAMS_LENGTH, queue, seq);
        Netlink.putAttributeHeader(dst, at, NFQA_CFG_PARAMS, 5); // packed struct: 5 bytes, 3 of padding
        Netlink.putBeInt(dst, at + NLA_HDRLEN, copyRange);
        dst.put(at + NLA_HDRLEN + 4, (byte) copyMode);
        return PARAMS_LENGTH;
    }

    /** CONFIG with QUEUE_MAXLEN: how many packets the kernel holds for us before it drops (or fails open). */
    static int queueMaxLen(ByteBuffer dst, int offset, int queue, int seq, int maxLen) {
        if (maxLen <= 0) {
            throw new IllegalArgumentException("queue length must be positive: " + maxLen);
        }
        int at = config(dst, offset, QUEUE_MAXLEN_LENGTH, queue, seq);
        Netlink.putBe32Attribute(dst, at, NFQA_CFG_QUEUE_MAXLEN, maxLen);
        return QUEUE_MAXLEN_LENGTH;
    }

    /**
     * CONFIG with MASK and FLAGS: the flags in {@code mask} take their value from {@code flags}, the
     * others stay. The kernel refuses FLAGS without MASK (EINVAL), so both are always written.
     */
    static int flags(ByteBuffer dst, int offset, int queue, int seq, int flags, int mask) {
        if ((flags & ~mask) != 0) {
            throw new IllegalArgumentException(String.format(
                    "flags 0x%x outside the mask 0x%x would be ignored by the kernel", flags, mask));
        }
        int at = config(dst, offset, FLAGS_LENGTH, queue, seq);
        at = Netlink.putBe32Attribute(dst, at, NFQA_CFG_MASK, mask);
        Netlink.putBe32Attribute(dst, at, NFQA_CFG_FLAGS, flags);
        return FLAGS_LENGTH;
    }

    private static int config(ByteBuffer dst, int offset, int length, int queue, int seq) {
        Objects.checkFromIndexSize(offset, length, dst.limit());
        return Netlink.putHeaders(dst, offset, length, type(MSG_CONFIG), NLM_F_REQUEST | NLM_F_ACK, seq,
                AF_UNSPEC, checkQueue(queue));
    }

    /**
     * VERDICT_BATCH: {@code verdict} for every packet still queued on {@code queue} whose id is at or
     * before {@code maxId} (serial order: the kernel compares {@code (int) (id - maxId) > 0}).
     */
    static int verdictBatch(ByteBuffer dst, int offset, int queue, int seq, int verdict, int maxId) {
        return verdict(dst, offset, MSG_VERDICT_BATCH, queue, seq, verdict, maxId);
    }

    /** VERDICT: {@code verdict} for the one packet {@code id}. */
    static int verdict(ByteBuffer dst, int offset, int queue, int seq, int verdict, int id) {
        return verdict(dst, offset, MSG_VERDICT, queue, seq, verdict, id);
    }

    private static int verdict(ByteBuffer dst, int offset, int msg, int queue, int seq, int verdict, int id) {
        Objects.checkFromIndexSize(offset, VERDICT_LENGTH, dst.limit());
        int at = Netlink.putHeaders(dst, offset, VERDICT_LENGTH, type(msg), NLM_F_REQUEST, seq, AF_UNSPEC,
                checkQueue(queue));
        Netlink.putAttributeHeader(dst, at, NFQA_VERDICT_HDR, VERDICT_HDR_LENGTH);
        Netlink.putBeInt(dst, at + NLA_HDRLEN, verdict);
        Netlink.putBeInt(dst, at + NLA_HDRLEN + 4, id);
        return VERDICT_LENGTH;
    }

    static int checkQueue(int queue) {
        if (queue < 0 || queue > 0xFFFF) {
            throw new IllegalArgumentException("NFQUEUE number must be 0-65535: " + queue);
        }
        return queue;
    }
}
