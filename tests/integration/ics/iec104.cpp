// IEC 60870-5-104 against tshark: APDUs (iec60870_104.apdulen), frame formats
// (iec60870_104.type), U functions (iec60870_104.utype), ASDU type ids
// (iec60870_asdu.typeid) and causes of transmission (iec60870_asdu.causetx).
#include "ics_compare.h"

namespace qw::ics_compare {
namespace {

constexpr const char* kTestDissect = "iec104/TestDissectIec104.pcap";
constexpr const char* kJunk =
    "Wireshark's robustness capture: in streams 0-4 the client puts junk octets before and "
    "between APDUs. tshark scans for the next 0x68 and dissects whatever follows as an APDU: "
    "length octets below 4 (frames 11, 16, 18, 23), an I-frame with no ASDU (25), a U-frame "
    "with two function bits (36), I-frames whose 2- or 4-octet ASDUs declare 24 or 26 objects "
    "(41, 58, 83, 96) and S-frames of length 6 with control 0x19 (71, 75). None is an APDU "
    "IEC 60870-5-104 5.1-5.4 allows; quaywatch raises iec104.bad_start and skips to the next "
    "APDU that is whole and consistent (the valid U-frames after the junk are counted by both)";

Counters Iec104Expect(const std::vector<TsharkFrame>& frames) {
  Counters c;
  for (const auto& f : frames) {
    if (!f.HasProtocol("iec60870_104")) continue;
    ++c["frames"];
    c["pdus"] += static_cast<int64_t>(f.Values("iec60870_104.apdulen").size());
    for (const auto& v : f.Values("iec60870_104.type")) ++c["apci:" + std::to_string(Number(v))];
    for (const auto& v : f.Values("iec60870_104.utype")) {
      ++c["u_functions:" + std::to_string(Number(v))];
    }
    for (const auto& v : f.Values("iec60870_asdu.typeid")) ++c["functions:" + v];
    for (const auto& v : f.Values("iec60870_asdu.causetx")) ++c["cot:" + v];
  }
  return c;
}

const Register kIec104({
    "iec104",
    {"iec104"},
    {"iec60870_104.apdulen", "iec60870_104.type", "iec60870_104.utype", "iec60870_asdu.typeid",
     "iec60870_asdu.causetx"},
    Iec104Expect,
    {"pdus", "frames", "functions:", "apci:", "u_functions:", "cot:"},
    {
        {kTestDissect, "pdus", -12, kJunk},
        {kTestDissect, "frames", -12, kJunk},
        {kTestDissect, "apci:0", -5,
         "tshark's I-format APDUs with no or impossible ASDUs in frames 25 (length 4), 41 and 58 "
         "(2-octet ASDU declaring 24 objects), 83 and 96 (4-octet ASDU declaring 26 objects); "
         "see pdus"},
        {kTestDissect, "apci:1", -2,
         "tshark's S-format APDUs of length 6 with control octets 0x19 in frames 71 and 75 (an "
         "S-frame has length 4 and control 0x01 0x00); see pdus"},
        {kTestDissect, "apci:3", -1,
         "tshark's U-format APDU of length 5 with two function bits (0x05) in frame 36; see pdus"},
        {kTestDissect, "u_functions:5", -1,
         "frame 36: 0x05 sets STARTDT act and STOPDT act at once, no U function; see pdus"},
        {kTestDissect, "functions:24", -2,
         "frames 41 and 58: junk 0x18 octets read as type 24, which IEC 60870-5-101 does not "
         "define, in a 2-octet ASDU; see pdus"},
        {kTestDissect, "functions:26", -2,
         "frames 83 and 96: junk 0x1a octets read as type 26 (undefined) in a 4-octet ASDU; see "
         "pdus"},
        {kTestDissect, "cot:26", -2, "frames 83 and 96: the cause of the junk ASDUs above"},
    },
    "",
});

}  // namespace
}  // namespace qw::ics_compare
