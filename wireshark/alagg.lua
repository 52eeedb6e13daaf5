-- Wireshark dissector for Alagg frames (docs/protocol.md, wire format version 1).
--
-- Install (one step):  mkdir -p ~/.local/lib/wireshark/plugins && cp alagg.lua ~/.local/lib/wireshark/plugins/
-- or for one run:      tshark -X lua_script:alagg.lua -r capture.pcapng
--
-- Frames of the Alagg EtherType (0x88B5; Preferences > Protocols > ALAGG to change it) are decoded field by field: the
-- header, the probe body, the link report and heard list of a probe reply, the authentication tag; the inner IPv4,
-- IPv6 or Ethernet packet of a DATA frame goes to Wireshark's own dissectors. A frame a receiver drops (the rules of
-- section 6) gets expert info naming the rule and its counter. Nothing is verified cryptographically: the tag is
-- shown, not checked (that takes the key).

local alagg = Proto("alagg", "Alagg link aggregation")

local HEADER = 20
local AUTH = 0x01
local TAG_LENGTH = 17 -- key id + 16 bytes of MAC (section 7)
local PROBE_BODY = 12
local CHALLENGE = 16
local REPORT = 12
local MTU_PROBE_BIT = 0x40000000

local frame_types = { [1] = "DATA", [2] = "PROBE", [3] = "PROBE_REPLY", [4] = "PARITY" }
-- PARITY: the group header before the parity symbol (docs/protocol.md section 3)
local PARITY_HEADER = 4
local PARITY_MIN = 8
local payload_protocols = { [0] = "NONE", [1] = "IPv4", [2] = "IPv6", [3] = "Ethernet" }

local f = alagg.fields
f.version = ProtoField.uint8("alagg.version", "Version", base.DEC)
f.type = ProtoField.uint8("alagg.type", "Frame type", base.DEC, frame_types)
f.flags = ProtoField.uint8("alagg.flags", "Flags", base.HEX)
f.flag_auth = ProtoField.bool("alagg.flags.auth", "AUTH (an auth tag trails the payload)", 8, nil, AUTH)
f.flag_reserved = ProtoField.uint8("alagg.flags.reserved", "Reserved", base.HEX, nil, 0xFE)
f.payload_proto = ProtoField.uint8("alagg.payload_proto", "Payload protocol", base.DEC, payload_protocols)
f.inner_length = ProtoField.uint16("alagg.inner_length", "Inner length", base.DEC)
f.link_id = ProtoField.uint8("alagg.link_id", "Link id", base.DEC)
f.tag_length = ProtoField.uint8("alagg.tag_length", "Auth tag length", base.DEC)
f.epoch = ProtoField.uint32("alagg.epoch", "Epoch", base.HEX)
f.global_seq = ProtoField.uint32("alagg.global_seq", "Global sequence", base.DEC)
f.link_seq = ProtoField.uint32("alagg.link_seq", "Link sequence", base.DEC)
f.payload = ProtoField.bytes("alagg.payload", "Payload")
f.probe_sent_nanos = ProtoField.int64("alagg.probe.sent_nanos", "Sent nanos", base.DEC)
f.probe_id = ProtoField.uint32("alagg.probe.id", "Probe id", base.DEC)
f.probe_mtu = ProtoField.bool("alagg.probe.mtu", "MTU probe (id series with bit 30)", 32, nil, MTU_PROBE_BIT)
f.probe_challenge = ProtoField.bytes("alagg.probe.challenge", "Challenge")
f.probe_padding = ProtoField.bytes("alagg.probe.padding", "Padding")
f.report_echo_length = ProtoField.uint16("alagg.report.echo_length", "Echo length", base.DEC)
f.report_type = ProtoField.uint8("alagg.report.type", "Report type", base.DEC)
f.report_reserved = ProtoField.uint8("alagg.report.reserved", "Reserved", base.HEX)
f.report_received = ProtoField.uint32("alagg.report.received", "Received", base.DEC)
f.report_lost = ProtoField.uint32("alagg.report.lost", "Lost", base.DEC)
f.heard_count = ProtoField.uint8("alagg.heard.count", "Heard count", base.DEC)
f.heard_link = ProtoField.uint8("alagg.heard.link", "Heard link id", base.DEC)
f.parity_k = ProtoField.uint8("alagg.parity.k", "k (DATA frames in the group)", base.DEC)
f.parity_m = ProtoField.uint8("alagg.parity.m", "m (PARITY frames of the group)", base.DEC)
f.parity_index = ProtoField.uint8("alagg.parity.index", "Index (parity row)", base.DEC)
f.parity_reserved = ProtoField.uint8("alagg.parity.reserved", "Reserved", base.HEX)
f.parity_symbol = ProtoField.bytes("alagg.parity.symbol", "Parity symbol")
f.tag_key_id = ProtoField.uint8("alagg.tag.key_id", "Key id", base.HEX)
f.tag_mac = ProtoField.bytes("alagg.tag.mac", "MAC")
f.tag = ProtoField.bytes("alagg.tag", "Auth tag")
f.padding = ProtoField.bytes("alagg.padding", "Ethernet padding (after the frame: ignored)")

-- One expert field per receiver rule of docs/protocol.md section 6, named by its counter.
local e = {
  truncated = ProtoExpert.new("alagg.truncated", "truncated: fewer than 20 bytes after the Ethernet header",
    expert.group.MALFORMED, expert.severity.ERROR),
  bad_version = ProtoExpert.new("alagg.bad_version", "bad_version: Version is not 1",
    expert.group.MALFORMED, expert.severity.ERROR),
  unknown_frame_type = ProtoExpert.new("alagg.unknown_frame_type", "unknown_frame_type: Frame type is not 1-4",
    expert.group.MALFORMED, expert.severity.ERROR),
  reserved_flags = ProtoExpert.new("alagg.reserved_flags", "reserved_flags: a flag other than AUTH is set",
    expert.group.MALFORMED, expert.severity.ERROR),
  unknown_payload_protocol = ProtoExpert.new("alagg.unknown_payload_protocol",
    "unknown_payload_protocol: Payload proto is not 0-3", expert.group.MALFORMED, expert.severity.ERROR),
  auth_flag_mismatch = ProtoExpert.new("alagg.auth_flag_mismatch",
    "auth_flag_mismatch: the AUTH flag and the Auth tag length disagree", expert.group.MALFORMED, expert.severity.ERROR),
  inner_length_overflow = ProtoExpert.new("alagg.inner_length_overflow",
    "inner_length_overflow: 20 + Inner length + Auth tag length is more than the frame holds",
    expert.group.MALFORMED, expert.severity.ERROR),
  payload_protocol_mismatch = ProtoExpert.new("alagg.payload_protocol_mismatch",
    "payload_protocol_mismatch: DATA without a payload protocol, or a probe or parity with one",
    expert.group.MALFORMED, expert.severity.ERROR),
  short_payload = ProtoExpert.new("alagg.short_payload",
    "short_payload: DATA without payload, a probe body shorter than 12 bytes, or parity shorter than 8",
    expert.group.MALFORMED, expert.severity.ERROR),
  tag_length = ProtoExpert.new("alagg.tag_length_unusual",
    "the auth tag is not 17 bytes: a receiver with a key refuses it (auth_failed)", expert.group.PROTOCOL,
    expert.severity.WARN),
}
alagg.experts = { e.truncated, e.bad_version, e.unknown_frame_type, e.reserved_flags, e.unknown_payload_protocol,
  e.auth_flag_mismatch, e.inner_length_overflow, e.payload_protocol_mismatch, e.short_payload, e.tag_length }

alagg.prefs.ethertype = Pref.uint("EtherType", 0x88B5, "EtherType of Alagg frames (the config key ethertype)")

local inner_dissectors = {
  [1] = Dissector.get("ip"),
  [2] = Dissector.get("ipv6"),
  [3] = Dissector.get("eth_withoutfcs"),
}

-- The link report and heard list a reply may carry after the echoed probe body: at E, where the two bytes there say E
-- and the report type is 1 (section 3). The prober knows E; a capture does not, so the first E that fits is taken.
local function find_report(payload, length)
  for echo = PROBE_BODY, length - REPORT do
    if payload(echo, 2):uint() == echo and payload(echo + 2, 1):uint() == 1 then
      return echo
    end
  end
  return nil
end

local function probe_body(tree, payload, length, echoed)
  local body = tree:add(alagg, payload(0, length), echoed and "Echoed probe body" or "Probe body")
  body:add(f.probe_sent_nanos, payload(0, 8))
  local id = body:add(f.probe_id, payload(8, 4))
  id:add(f.probe_mtu, payload(8, 4))
  if length == PROBE_BODY + CHALLENGE then
    body:add(f.probe_challenge, payload(PROBE_BODY, CHALLENGE))
  elseif length > PROBE_BODY then
    -- a longer body is an MTU probe's padding (a challenge and padding cannot be told apart: both are echoed)
    body:add(f.probe_padding, payload(PROBE_BODY, length - PROBE_BODY))
  end
  return payload(8, 4):uint()
end

local function reply_body(tree, payload, length)
  local echo = find_report(payload, length)
  if echo == nil then
    return probe_body(tree, payload, length, true), nil
  end
  local id = probe_body(tree, payload, echo, true)
  local report = tree:add(alagg, payload(echo, length - echo), "Link report")
  report:add(f.report_echo_length, payload(echo, 2))
  report:add(f.report_type, payload(echo + 2, 1))
  report:add(f.report_reserved, payload(echo + 3, 1))
  report:add(f.report_received, payload(echo + 4, 4))
  report:add(f.report_lost, payload(echo + 8, 4))
  local at = echo + REPORT
  if at < length then
    local count = payload(at, 1):uint()
    if at + 1 + count <= length then
      local heard = report:add(f.heard_count, payload(at, 1))
      for i = 1, count do
        heard:add(f.heard_link, payload(at + i, 1))
      end
    end
  end
  return id, payload(echo + 4, 4):uint()
end

function alagg.dissector(buffer, pinfo, tree)
  local available = buffer:len()
  -- the frame's length on the wire: a capture cut at its snapshot length holds fewer bytes, which breaks no rule
  local sent = buffer:reported_length_remaining()
  pinfo.cols.protocol = "ALAGG"
  local root = tree:add(alagg, buffer(0, math.min(available, HEADER)))
  if available < HEADER then
    if sent < HEADER then
      root:add_proto_expert_info(e.truncated)
    end
    pinfo.cols.info = "Alagg, truncated (" .. sent .. " bytes" .. (sent > available and ", " .. available .. " captured" or "") .. ")"
    return available
  end
  local version = buffer(0, 1):uint()
  local frame_type = buffer(1, 1):uint()
  local flags = buffer(2, 1):uint()
  local proto = buffer(3, 1):uint()
  local inner = buffer(4, 2):uint()
  local link_id = buffer(6, 1):uint()
  local tag_length = buffer(7, 1):uint()
  local global_seq = buffer(12, 4):uint()
  local link_seq = buffer(16, 4):uint()

  local v = root:add(f.version, buffer(0, 1))
  local t = root:add(f.type, buffer(1, 1))
  local fl = root:add(f.flags, buffer(2, 1))
  fl:add(f.flag_auth, buffer(2, 1))
  fl:add(f.flag_reserved, buffer(2, 1))
  local p = root:add(f.payload_proto, buffer(3, 1))
  local il = root:add(f.inner_length, buffer(4, 2))
  root:add(f.link_id, buffer(6, 1))
  local tl = root:add(f.tag_length, buffer(7, 1))
  root:add(f.epoch, buffer(8, 4))
  root:add(f.global_seq, buffer(12, 4))
  root:add(f.link_seq, buffer(16, 4))

  local name = frame_types[frame_type] or ("type " .. frame_type)
  pinfo.cols.info = string.format("%s link %d lseq %u%s", name, link_id, link_seq,
    (frame_type == 1 or frame_type == 4) and string.format(" gseq %u", global_seq) or "")

  -- the receiver rules, in their order; a receiver drops the frame at the first that fails
  local dropped = false
  local function rule(holds, item, expert_field)
    if not holds and not dropped then
      item:add_proto_expert_info(expert_field)
      dropped = true
    end
  end
  rule(version == 1, v, e.bad_version)
  rule(frame_types[frame_type] ~= nil, t, e.unknown_frame_type)
  rule(bit.band(flags, 0xFE) == 0, fl, e.reserved_flags)
  rule(payload_protocols[proto] ~= nil, p, e.unknown_payload_protocol)
  local auth = bit.band(flags, AUTH) ~= 0
  rule((auth and tag_length > 0) or (not auth and tag_length == 0), tl, e.auth_flag_mismatch)
  rule(HEADER + inner + tag_length <= sent, il, e.inner_length_overflow)
  rule((frame_type == 1) == (proto ~= 0), p, e.payload_protocol_mismatch)
  rule((frame_type == 1 and inner > 0) or (frame_type == 4 and inner >= PARITY_MIN)
    or (frame_type ~= 1 and frame_type ~= 4 and inner >= PROBE_BODY), il, e.short_payload)
  if dropped then
    pinfo.cols.info = tostring(pinfo.cols.info) .. " [dropped by a receiver]"
    if available > HEADER then
      root:add(f.payload, buffer(HEADER, available - HEADER))
    end
    return available
  end

  local payload = buffer(HEADER, inner)
  root:set_len(HEADER + inner + tag_length)
  if frame_type == 2 then
    local id = probe_body(root, payload, inner, false)
    pinfo.cols.info = tostring(pinfo.cols.info) .. string.format(" id %u", id)
  elseif frame_type == 4 then
    local k = payload(0, 1):uint()
    root:add(f.parity_k, payload(0, 1))
    root:add(f.parity_m, payload(1, 1))
    root:add(f.parity_index, payload(2, 1))
    root:add(f.parity_reserved, payload(3, 1))
    root:add(f.parity_symbol, payload(PARITY_HEADER, inner - PARITY_HEADER))
    pinfo.cols.info = tostring(pinfo.cols.info) .. string.format(" group %u-%u index %u of %u", global_seq,
      global_seq + k - 1, payload(2, 1):uint(), payload(1, 1):uint())
  elseif frame_type == 3 then
    local id, received = reply_body(root, payload, inner)
    pinfo.cols.info = tostring(pinfo.cols.info) .. string.format(" id %u", id)
      .. (received and string.format(" report received %u", received) or "")
  end
  if tag_length > 0 then
    local tag = root:add(f.tag, buffer(HEADER + inner, tag_length))
    if tag_length == TAG_LENGTH then
      tag:add(f.tag_key_id, buffer(HEADER + inner, 1))
      tag:add(f.tag_mac, buffer(HEADER + inner + 1, TAG_LENGTH - 1))
    else
      tag:add_proto_expert_info(e.tag_length)
    end
  end
  if frame_type == 1 then
    root:add(f.payload, payload)
    local dissector = inner_dissectors[proto]
    if dissector ~= nil then
      dissector:call(payload:tvb(), pinfo, tree)
    end
  end
  -- what follows is Ethernet's padding to 60 bytes: a receiver ignores it (section 1)
  local used = HEADER + inner + tag_length
  if available > used then
    tree:add(f.padding, buffer(used, available - used))
  end
  return available
end

local registered = nil
local function register()
  local ethertypes = DissectorTable.get("ethertype")
  if registered ~= nil then
    ethertypes:remove(registered, alagg)
  end
  registered = alagg.prefs.ethertype
  ethertypes:add(registered, alagg)
end
alagg.prefs_changed = register
register()
