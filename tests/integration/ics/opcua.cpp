// OPC UA binary against tshark: chunks (opcua.transport.type), message types and the
// service encoding ids of readable bodies (opcua.servicenodeid.numeric).
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

constexpr const char* kGap = "opcua/opcua_with-gap.pcap";
constexpr const char* kGapReason =
    "the server's 13,990-octet CreateSessionResponse (MSG, 464) spans frames 12-30. The capture "
    "missed the first transmissions of (relative) octets 10384-11844 and 13304-14154, and the "
    "client's ACKs in frames 25 and 29 already cover them, so tshark takes their only copies in "
    "frames 26 and 30 for spurious retransmissions, keeps them out of reassembly and never "
    "completes the message. The octets appear exactly once in the capture; quaywatch's "
    "reassembly uses them and counts the response in frame 30 (the client's ActivateSession in "
    "frame 31 carries the authentication token that response gave it)";

// The three ASCII octets of a message type read big-endian, as quaywatch keys them.
int64_t MessageTypeCode(const std::string& type) {
  int64_t code = 0;
  for (char c : type) code = code << 8 | static_cast<unsigned char>(c);
  return code;
}

Counters OpcuaExpect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("opcua")) continue;
    ++c["frames"];
    for (const auto& v : f.Values("opcua.transport.type")) {
      ++c["pdus"];
      ++c["message_types:" + std::to_string(MessageTypeCode(v))];
    }
    for (const auto& v : f.Values("opcua.servicenodeid.numeric")) ++c["functions:" + v];
  }
  return c;
}

const Register kOpcua({
    "opcua",
    {"opcua"},
    {"opcua.transport.type", "opcua.servicenodeid.numeric"},
    OpcuaExpect,
    {"pdus", "frames", "functions:", "message_types:"},
    {
        {kGap, "pdus", 1, kGapReason},
        {kGap, "frames", 1, kGapReason},
        {kGap, "message_types:5067591", 1, kGapReason},
        {kGap, "functions:464", 1, kGapReason},
    },
    "",
});

}  // namespace
}  // namespace qw::ics_compare
