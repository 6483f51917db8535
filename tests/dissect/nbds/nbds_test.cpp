// Tests of the NetBIOS Datagram Service dissector on real datagrams (UDP payloads): a local
// master announcement and a domain announcement of enip_cip/ControlLogix_FactoryTalk_HMI.pcap
// (frames 247 and 255), every truncated prefix, and what reaches the counts and the inventory.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dissect/nbds/nbds_dissector.h"
#include "dissect/nbds/nbds_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

// Frame 247: BYRES-F4E57DAAC<20> to WORKGROUP<1e>, Local Master Announcement.
constexpr std::string_view kLocalMaster = R"(
  11 02 84 b3 0a 00 01 0b 00 8a   # direct group, first fragment, id, 10.0.1.11:138
  00 bb 00 00                     # length 187, offset 0
  20 45 43 46 4a 46 43 45 46 46 44 43 4e 45 47 44 45 45 46 44 46 44 48 45 45 45 42 45 42
  45 44 43 41 00                  # BYRES-F4E57DAAC<20>
  20 46 48 45 50 46 43 45 4c 45 48 46 43 45 50 46 46 46 41 43 41 43 41 43 41 43 41 43 41
  43 41 42 4f 00                  # WORKGROUP<1e>
  ff 53 4d 42 25 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00                        # SMB1 header, Trans
  11 00 00 21 00 00 00 00 00 00 00 00 00 e8 03 00 00 00 00 00 00 00 00 21 00 56 00 03 00
  01 00 00 00 02 00              # words: data count 33 at offset 86; setup: write mailslot
  32 00 5c 4d 41 49 4c 53 4c 4f 54 5c 42 52 4f 57 53 45 00   # \MAILSLOT\BROWSE
  0f 00 80 fc 0a 00               # local master announcement, update 0, 12 minutes
  42 59 52 45 53 2d 46 34 45 35 37 44 41 41 43 00   # BYRES-F4E57DAAC
  05 02 03 90 84 00               # Windows 5.2, server type 0x00849003
  0f 01 55 aa 00                  # browser 15.1, signature, empty comment
)";

// Frame 255: ATHENECORPORATE's domain announcement (names the domain, not the sender).
constexpr std::string_view kDomain = R"(
  11 0e 86 4c 0a 5c 12 75 00 8a 00 c1 00 00
  20 45 4c 46 46 45 4d 45 4c 45 42 45 4a 43 41 43 41 43 41 43 41 43 41 43 41 43 41 43 41
  43 41 41 41 00
  20 41 42 41 43 46 50 46 50 45 4e 46 44 45 43 46 43 45 50 46 48 46 44 45 46 46 50 46 50
  41 43 41 42 00
  ff 53 4d 42 25 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  00 00 00
  11 00 00 27 00 00 00 00 00 00 00 00 00 e8 03 00 00 00 00 00 00 00 00 27 00 56 00 03 00
  01 00 01 00 02 00
  38 00 5c 4d 41 49 4c 53 4c 4f 54 5c 42 52 4f 57 53 45 00
  0c 00 e0 93 04 00
  41 54 48 45 4e 45 43 4f 52 50 4f 52 41 54 45 00
  03 0a 00 10 00 80 fc f9 6b 02
  4b 55 4c 4b 41 4a 00            # comment: the master browser, KULKAJ
)";

TEST(NbdsParser, LocalMasterAnnouncement) {
  const auto bytes = Hex(kLocalMaster);
  const auto d = nbds::ParseDatagram(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->type, nbds::kDirectGroup);
  EXPECT_EQ(d->source.name.view(), "BYRES-F4E57DAAC");
  EXPECT_EQ(d->source.suffix, 0x20);
  EXPECT_EQ(d->destination.name.view(), "WORKGROUP");
  EXPECT_EQ(d->destination.suffix, 0x1e);
  EXPECT_TRUE(d->first_fragment);
  EXPECT_EQ(nbds::Smb1Command(d->user_data), 0x25);
  const auto a = nbds::ParseAnnouncement(d->user_data);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->command, nbds::kLocalMasterAnnouncement);
  EXPECT_EQ(a->server_name.view(), "BYRES-F4E57DAAC");
  EXPECT_EQ(a->os_major, 5);
  EXPECT_EQ(a->os_minor, 2);
  EXPECT_EQ(a->server_type, 0x00849003u);
  EXPECT_TRUE(a->comment.empty());
  EXPECT_EQ(nbds::ServerTypeNames(a->server_type).view(),
            "workstation,server,nt-workstation,nt-server,master-browser,dfs");
}

TEST(NbdsParser, DomainAnnouncementAndOtherMessages) {
  const auto bytes = Hex(kDomain);  // the datagram's views point into it
  const auto d = nbds::ParseDatagram(bytes);
  ASSERT_TRUE(d);
  const auto a = nbds::ParseAnnouncement(d->user_data);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->command, nbds::kDomainAnnouncement);
  EXPECT_EQ(a->server_name.view(), "ATHENECORPORATE");
  EXPECT_EQ(a->comment.view(), "KULKAJ");
  // An error datagram: exactly its code; a query: exactly its name.
  EXPECT_TRUE(nbds::ParseDatagram(Hex("13 02 00 01 0a 00 00 01 00 8a 82")));
  EXPECT_FALSE(nbds::ParseDatagram(Hex("13 02 00 01 0a 00 00 01 00 8a 82 00")));
  EXPECT_FALSE(nbds::ParseDatagram(Hex("13 02 00 01 0a 00 00 01 00 8a 01")));
  // Unknown types, flags' reserved bits, a name out of 'A'..'P', a length past the end.
  auto bad = Hex(kLocalMaster);
  bad[0] = 0x17;
  EXPECT_FALSE(nbds::ParseDatagram(bad));
  bad = Hex(kLocalMaster);
  bad[1] = 0x12;
  EXPECT_FALSE(nbds::ParseDatagram(bad));
  bad = Hex(kLocalMaster);
  bad[15] = 'Z';
  EXPECT_FALSE(nbds::ParseDatagram(bad));
  bad = Hex(kLocalMaster);
  bad[11] = 0xbc;
  EXPECT_FALSE(nbds::ParseDatagram(bad));
}

TEST(NbdsParser, EveryTruncatedPrefixIsSafe) {
  for (std::string_view fixture : {kLocalMaster, kDomain}) {
    const auto bytes = Hex(fixture);
    ForEachPrefix(bytes, [](std::span<const uint8_t> prefix) {
      if (auto d = nbds::ParseDatagram(prefix)) {
        (void)nbds::ParseAnnouncement(d->user_data);
      }
      (void)nbds::ParseAnnouncement(prefix);
    });
    // The SMB message alone, cut anywhere, gives no announcement but when whole.
    const auto d = nbds::ParseDatagram(bytes);
    ASSERT_TRUE(d);
    const size_t whole = d->user_data.size();
    ForEachPrefix(d->user_data, [whole](std::span<const uint8_t> prefix) {
      const auto a = nbds::ParseAnnouncement(prefix);
      if (a) {
        EXPECT_GE(prefix.size() + 8, whole) << prefix.size();
      }
    });
  }
}

TEST(NbdsDissector, AnnouncementsCountAsSmbAndNameTheirSender) {
  StreamHarness h(Registered("nbds"));
  h.Request(Hex(kLocalMaster), 247);
  h.Request(Hex(kLocalMaster), 300);  // the same announcement twelve minutes on
  h.Request(Hex(kDomain), 255);
  h.End();
  EXPECT_STREQ(h.Protocol(), "nbds");
  EXPECT_TRUE(h.anomalies.empty());
  size_t smb = 0, nbds = 0;
  for (const auto& p : h.sink.pdus) {
    if (std::string_view(p.protocol) == "smb") {
      ++smb;
      EXPECT_EQ(p.code, 0x25u);
      EXPECT_EQ(std::string_view(p.histogram), "commands");
    }
    nbds += std::string_view(p.protocol) == "nbds";
  }
  EXPECT_EQ(smb, 3u);
  EXPECT_EQ(nbds, 3u);
  // One identity: the repeat and the domain announcement add none.
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_STREQ(h.sink.identities[0].protocol, "browser");
  EXPECT_EQ(h.sink.Identity("netbios_name"), "BYRES-F4E57DAAC");
  EXPECT_EQ(h.sink.Identity("os"), "Windows 5.2");
  EXPECT_EQ(h.sink.Identity("workgroup"), "WORKGROUP");
  EXPECT_EQ(h.sink.Identity("server_type"),
            "workstation,server,nt-workstation,nt-server,master-browser,dfs");
}

TEST(NbdsDissector, ProbeTakesDatagramsAndRefusesOtherBytes) {
  auto dir = flow::Direction::kFromInitiator;
  EXPECT_EQ(nbds::Probe(dir, Hex(kLocalMaster)), ProbeResult::kYes);
  EXPECT_EQ(nbds::Probe(dir, Hex("12 34 01 00 00 01 00 00 00 00 00 00 03 77 77 77 00 00 01 00 01")),
            ProbeResult::kNo);  // a DNS query
  EXPECT_EQ(nbds::Probe(dir, Hex("11 02 84 b3 0a 00 01 0b")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
