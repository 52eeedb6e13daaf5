package org.alagg.nfqueue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Byte fixtures, written out by hand from the kernel's UAPI headers:
 * include/uapi/linux/netlink.h (struct nlmsghdr, struct nlattr, struct nlmsgerr, NLM_F_*, NLMSG_ERROR),
 * include/uapi/linux/netfilter/nfnetlink.h (struct nfgenmsg, NFNL_SUBSYS_QUEUE = 3) and
 * include/uapi/linux/netfilter/nfnetlink_queue.h (message types, NFQA_* and NFQA_CFG_* attributes, structs),
 * with the attribute order and padding nfqnl_build_packet_message (net/netfilter/nfnetlink_queue.c) uses.
 *
 * <p>HOST BYTE ORDER: the nlmsghdr fields and the nlattr headers are in the machine's byte order
 * (ByteOrder.nativeOrder()); these fixtures spell them little-endian, as on this x86_64 machine, and every
 * test using them first assumes a little-endian host. Attribute values and nfgenmsg.res_id are big-endian
 * on every machine.
 */
final class Fixtures {
    private Fixtures() {
    }

    static boolean littleEndianHost() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }

    /** Bytes from hex digits; blanks, newlines and '|' are ignored. */
    static byte[] hex(String s) {
        String digits = s.replaceAll("[\\s|]", "");
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits: " + digits.length());
        }
        byte[] b = new byte[digits.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static String hex(ByteBuffer b, int offset, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(String.format("%02x", b.get(offset + i)));
        }
        return sb.toString();
    }

    static String hex(byte[] b) {
        return hex(ByteBuffer.wrap(b), 0, b.length);
    }

    /** A direct buffer holding {@code bytes} at {@code offset}, in the given order (the decoders ignore it). */
    static ByteBuffer direct(byte[] bytes, int offset, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocateDirect(offset + bytes.length).order(order);
        b.put(offset, bytes);
        return b;
    }

    // ---- requests Alagg sends (nfnetlink_queue.h: NFQNL_MSG_CONFIG = 2, NFQNL_MSG_VERDICT_BATCH = 3) ----

    /** CONFIG, CMD BIND on queue 7, seq 1, NLM_F_REQUEST | NLM_F_ACK. */
    static final String BIND_7 =
            "1c000000 0203 0500 01000000 00000000" // nlmsghdr: len 28, type 3<<8|2, flags 1|4, seq 1, pid 0
          + "00 00 0007"                            // nfgenmsg: AF_UNSPEC, NFNETLINK_V0, res_id 7 (be16)
          + "0800 0100 01 00 0000";                 // NFQA_CFG_CMD len 8: struct nfqnl_msg_config_cmd {BIND, _pad, pf 0}

    /** CONFIG, CMD UNBIND on queue 7, seq 5. */
    static final String UNBIND_7 =
            "1c000000 0203 0500 05000000 00000000"
          + "00 00 0007"
          + "0800 0100 02 00 0000";

    /** CONFIG, PARAMS {copy_range 0xffff, COPY_PACKET} on queue 7, seq 2: packed struct of 5, 3 pad bytes. */
    static final String PARAMS_7 =
            "20000000 0203 0500 02000000 00000000" // len 32
          + "00 00 0007"
          + "0900 0200 0000ffff 02 000000";        // NFQA_CFG_PARAMS len 9: be32 copy_range, u8 copy_mode, pad

    /** CONFIG, QUEUE_MAXLEN 4096 on queue 7, seq 3. */
    static final String QUEUE_MAXLEN_7 =
            "1c000000 0203 0500 03000000 00000000"
          + "00 00 0007"
          + "0800 0300 00001000";                   // NFQA_CFG_QUEUE_MAXLEN len 8: be32 4096

    /** CONFIG, MASK FAIL_OPEN|GSO and FLAGS FAIL_OPEN on queue 7, seq 4: fail open on, GSO off. */
    static final String FLAGS_7 =
            "24000000 0203 0500 04000000 00000000" // len 36
          + "00 00 0007"
          + "0800 0400 00000005"                    // NFQA_CFG_MASK: NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO
          + "0800 0500 00000001";                   // NFQA_CFG_FLAGS: NFQA_CFG_F_FAIL_OPEN

    /** VERDICT_BATCH, NF_DROP for every id up to 42 on queue 7, seq 9, NLM_F_REQUEST only. */
    static final String VERDICT_BATCH_DROP_42_7 =
            "20000000 0303 0100 09000000 00000000" // len 32, type 3<<8|3, flags REQUEST
          + "00 00 0007"
          + "0c00 0200 00000000 0000002a";          // NFQA_VERDICT_HDR len 12: be32 verdict NF_DROP, be32 id 42

    /** VERDICT, NF_ACCEPT for id 5 on queue 7, seq 10. */
    static final String VERDICT_ACCEPT_5_7 =
            "20000000 0103 0100 0a000000 00000000"
          + "00 00 0007"
          + "0c00 0200 00000001 00000005";

    // ---- messages the kernel sends ----

    /** An IPv4 packet message (hook LOCAL_OUT) with an odd-length, unpadded last attribute (the payload). */
    static final String PACKET_IPV4 =
            "65000000 0003 0000 00000000 00000000" // nlmsghdr: len 101, type 3<<8|0 (PACKET), flags 0, seq 0, pid 0
          + "02 00 0007"                            // nfgenmsg: AF_INET, v0, queue 7
          + "0b00 0100 01020304 0800 03 00"         // @20 NFQA_PACKET_HDR len 11 (packed 7): id, hw 0x0800, hook 3; pad 1
          + "0800 0600 00000005"                    // @32 NFQA_IFINDEX_OUTDEV 5
          + "0800 0300 0000002a"                    // @40 NFQA_MARK 42
          + "1400 0400 00000000 6553f100 00000000 00000001" // @48 NFQA_TIMESTAMP (skipped): be64 sec, be64 usec
          + "0800 0e00 00000001"                    // @68 NFQA_SKB_INFO NFQA_SKB_CSUMNOTREADY
          + "1900 0a00"                             // @76 NFQA_PAYLOAD len 25 = 4 + 21, no padding after it
          + "45000015 00010000 40fd0000 0a000001 0a000002 78"; // @80 IPv4 header (total 21, proto 253) + 'x'

    static final int IPV4_LENGTH = 101;
    static final int IPV4_PAYLOAD_OFFSET = 80;
    static final int IPV4_PAYLOAD_LENGTH = 21;
    /** Offsets inside PACKET_IPV4 the hostile cases patch. */
    static final int AT_PACKET_HDR = 20;
    static final int AT_PACKET_ID = 24;
    static final int AT_HW_PROTOCOL = 28;
    static final int AT_MARK = 40;
    static final int AT_SKB_INFO = 68;
    static final int AT_PAYLOAD_ATTR = 76;

    /**
     * An IPv6 packet message: PACKET_HDR with NLA_F_NESTED | NLA_F_NET_BYTEORDER set in its type (masked
     * off), unknown attributes (type 0x07ff with an odd length, NFQA_UID), CAP_LEN equal to the payload
     * length, and an even but unaligned payload followed by 2 padding bytes.
     */
    static final String PACKET_IPV6 =
            "70000000 0003 0000 00000000 00000000" // len 112
          + "0a 00 0007"                            // AF_INET6, v0, queue 7
          + "0b00 01c0 00000009 86dd 01 00"         // @20 type 0xc001 = NESTED|NET_BYTEORDER|PACKET_HDR; id 9, 0x86DD, hook 1
          + "0800 0500 00000002"                    // @32 NFQA_IFINDEX_INDEV 2
          + "0500 ff07 ab 000000"                   // @40 unknown type 0x07ff, len 5, 3 pad bytes
          + "0800 1000 000003e8"                    // @48 NFQA_UID 1000 (skipped)
          + "0800 0d00 0000002a"                    // @56 NFQA_CAP_LEN 42
          + "2e00 0a00"                             // @64 NFQA_PAYLOAD len 46 = 4 + 42
          + "60000000 0002 3b 40"                   // @68 IPv6: payload length 2, no next header, hop limit 64
          + "fe800000 00000000 00000000 00000001"   // source fe80::1
          + "fe800000 00000000 00000000 00000002"   // destination fe80::2
          + "abcd"                                  // 2 payload bytes
          + "0000";                                 // NLA_ALIGN padding

    static final int IPV6_LENGTH = 112;
    static final int IPV6_PAYLOAD_OFFSET = 68;
    static final int IPV6_PAYLOAD_LENGTH = 42;

    /**
     * The kernel's answer to BIND_7 when it fails with EBUSY: NLMSG_ERROR, struct nlmsgerr {error -16,
     * the request's nlmsghdr} followed by the rest of the request (not capped), seq 1, to port 0x1234.
     */
    static final String ERROR_EBUSY_FOR_BIND =
            "30000000 0200 0000 01000000 34120000" // len 48 = 16 + 4 + 28, type NLMSG_ERROR, flags 0, seq 1
          + "f0ffffff"                              // error = -EBUSY (-16), host order
          + BIND_7;                                 // the request, echoed whole

    /** A plain ack for PARAMS_7: error 0, NLM_F_CAPPED (0x100), only the request's header echoed. */
    static final String ACK_FOR_PARAMS =
            "24000000 0200 0001 02000000 34120000" // len 36, NLMSG_ERROR, flags NLM_F_CAPPED, seq 2
          + "00000000"                              // error 0: ack
          + "20000000 0203 0500 02000000 00000000"; // the request's nlmsghdr

    /** A failed verdict as it arrives in the packet stream: -ENOENT for VERDICT_BATCH_DROP_42_7, seq 9. */
    static final String ERROR_ENOENT_FOR_VERDICT =
            "34000000 0200 0000 09000000 34120000" // len 52 = 16 + 4 + 32
          + "feffffff"                              // -ENOENT (-2)
          + VERDICT_BATCH_DROP_42_7;
}
