package org.alagg.nfqueue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Netlink framing ({@code include/uapi/linux/netlink.h}) and the nfnetlink layer on top of it
 * ({@code include/uapi/linux/netfilter/nfnetlink.h}).
 *
 * <p>A message is a 16-byte {@code nlmsghdr} (len u32, type u16, flags u16, seq u32, pid u32) in the
 * HOST byte order, i.e. {@link ByteOrder#nativeOrder()} (little-endian on x86_64), then for nfnetlink a
 * 4-byte {@code nfgenmsg} (family u8, version u8, res_id big-endian u16), then 4-aligned attributes:
 * {@code nlattr} headers (nla_len u16, nla_type u16) in host order, attribute values big-endian.
 *
 * <p>Every accessor uses absolute indexes and converts explicitly, so it works whatever
 * {@link ByteBuffer#order()} the buffer has and never changes its position, limit or order.
 */
final class Netlink {
    /** The byte order of netlink headers: the kernel's, which is this machine's. */
    static final ByteOrder HOST = ByteOrder.nativeOrder();

    // netlink.h
    static final int NLMSG_ALIGNTO = 4;
    static final int NLMSG_HDRLEN = 16;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_ACK = 0x4;
    static final int NLA_HDRLEN = 4;
    static final int NLA_F_NESTED = 0x8000;
    static final int NLA_F_NET_BYTEORDER = 0x4000;
    static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xFFFF;
    /** struct nlmsgerr: int error, then the nlmsghdr of the request it answers. */
    static final int NLMSGERR_LENGTH = 4 + NLMSG_HDRLEN;

    // nlmsghdr field offsets
    static final int OFFSET_LEN = 0;
    static final int OFFSET_TYPE = 4;
    static final int OFFSET_FLAGS = 6;
    static final int OFFSET_SEQ = 8;
    static final int OFFSET_PID = 12;

    // nfnetlink.h
    static final int NFGENMSG_LENGTH = 4;
    static final int NFNETLINK_V0 = 0;
    static final int NFNL_SUBSYS_QUEUE = 3;
    /** Where the nfgenmsg starts, and where its attributes start, counted from the message start. */
    static final int OFFSET_NFGENMSG = NLMSG_HDRLEN;
    static final int OFFSET_ATTRIBUTES = NLMSG_HDRLEN + NFGENMSG_LENGTH;

    /** Address family of configuration and verdict messages; the queue number alone names the queue. */
    static final int AF_UNSPEC = 0;

    private Netlink() {
    }

    /** NLMSG_ALIGN / NLA_ALIGN: rounds a length up to 4. */
    static int align(int length) {
        return (length + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
    }

    // ---- host order (header fields) ----

    static int getHostInt(ByteBuffer b, int index) {
        int v = b.getInt(index);
        return b.order() == HOST ? v : Integer.reverseBytes(v);
    }

    /** An unsigned 16-bit host-order field. */
    static int getHostShort(ByteBuffer b, int index) {
        short v = b.getShort(index);
        return Short.toUnsignedInt(b.order() == HOST ? v : Short.reverseBytes(v));
    }

    static void putHostInt(ByteBuffer b, int index, int value) {
        b.putInt(index, b.order() == HOST ? value : Integer.reverseBytes(value));
    }

    static void putHostShort(ByteBuffer b, int index, int value) {
        short v = (short) value;
        b.putShort(index, b.order() == HOST ? v : Short.reverseBytes(v));
    }

    // ---- network order (attribute values, nfgenmsg.res_id) ----

    static int getBeInt(ByteBuffer b, int index) {
        int v = b.getInt(index);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    /** An unsigned 16-bit big-endian field. */
    static int getBeShort(ByteBuffer b, int index) {
        short v = b.getShort(index);
        return Short.toUnsignedInt(b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v));
    }

    static void putBeInt(ByteBuffer b, int index, int value) {
        b.putInt(index, b.order() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value));
    }

    static void putBeShort(ByteBuffer b, int index, int value) {
        short v = (short) value;
        b.putShort(index, b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v));
    }

    // ---- writing ----

    /**
     * Writes an nlmsghdr and an nfgenmsg (version 0) at {@code offset}.
     *
     * @param length the whole message length, attributes and their padding included
     * @return where the first attribute goes
     */
    static int putHeaders(ByteBuffer b, int offset, int length, int type, int flags, int seq,
            int family, int resId) {
        putHostInt(b, offset + OFFSET_LEN, length);
        putHostShort(b, offset + OFFSET_TYPE, type);
        putHostShort(b, offset + OFFSET_FLAGS, flags);
        putHostInt(b, offset + OFFSET_SEQ, seq);
        putHostInt(b, offset + OFFSET_PID, 0); // 0: the kernel fills in the socket's port id
        b.put(offset + OFFSET_NFGENMSG, (byte) family);
        b.put(offset + OFFSET_NFGENMSG + 1, (byte) NFNETLINK_V0);
        putBeShort(b, offset + OFFSET_NFGENMSG + 2, resId);
        return offset + OFFSET_ATTRIBUTES;
    }

    /**
     * Writes an attribute header for {@code valueLength} value bytes and zeroes the padding after the
     * value (the value itself is the caller's to write at the returned index + {@link #NLA_HDRLEN}).
     *
     * @return where the attribute starts (the {@code at} given)
     */
    static int putAttributeHeader(ByteBuffer b, int at, int type, int valueLength) {
        int length = NLA_HDRLEN + valueLength;
        putHostShort(b, at, length);
        putHostShort(b, at + 2, type);
        for (int i = at + length; i < at + align(length); i++) {
            b.put(i, (byte) 0);
        }
        return at;
    }

    /** Writes an attribute holding one big-endian u32; returns where the next attribute goes. */
    static int putBe32Attribute(ByteBuffer b, int at, int type, int value) {
        putAttributeHeader(b, at, type, 4);
        putBeInt(b, at + NLA_HDRLEN, value);
        return at + NLA_HDRLEN + 4;
    }
}
