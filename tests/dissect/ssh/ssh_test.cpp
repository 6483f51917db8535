// Tests of the SSH parser and dissector: identification lines of ssh/ssh_single-conn.pcap
// (frames 4 and 6), a KEXINIT built for the test with its HASSH and HASSHServer worked out
// by hand from Salesforce's definition, NEWKEYS, every truncated prefix, and the probe.
// tshark's HASSH of the shared captures is compared in the integration test.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "dissect/ssh/ssh_dissector.h"
#include "dissect/ssh/ssh_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// A binary packet around `payload`, padded to a multiple of 8 with at least 4 octets.
std::vector<uint8_t> Packet(const std::vector<uint8_t>& payload) {
  size_t padding = 8 - (5 + payload.size()) % 8;
  if (padding < 4) padding += 8;
  const size_t length = 1 + payload.size() + padding;
  std::vector<uint8_t> out(4 + length, 0);  // the padding stays zero
  out[0] = static_cast<uint8_t>(length >> 24);
  out[1] = static_cast<uint8_t>(length >> 16);
  out[2] = static_cast<uint8_t>(length >> 8);
  out[3] = static_cast<uint8_t>(length);
  out[4] = static_cast<uint8_t>(padding);
  std::copy(payload.begin(), payload.end(), out.begin() + 5);
  return out;
}

// A KEXINIT payload with the given name-lists (kex, host keys, enc c2s, enc s2c, mac c2s,
// mac s2c, comp c2s, comp s2c, languages both ways).
std::vector<uint8_t> KexInit(const std::vector<std::string>& lists) {
  std::vector<uint8_t> p = {20};
  p.insert(p.end(), 16, 0x42);  // cookie
  for (const auto& l : lists) {
    const size_t n = l.size();
    p.insert(p.end(), {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
                       static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
    p.insert(p.end(), l.begin(), l.end());
  }
  p.insert(p.end(), {0, 0, 0, 0, 0});  // first_kex_packet_follows, reserved
  return p;
}

const std::vector<std::string> kLists = {"curve25519-sha256,diffie-hellman-group14-sha1",
                                         "ssh-ed25519",
                                         "aes128-ctr,chacha20-poly1305@openssh.com",
                                         "aes256-ctr",
                                         "hmac-sha2-256",
                                         "hmac-sha1",
                                         "none,zlib@openssh.com",
                                         "none",
                                         "",
                                         ""};
// MD5 of "curve25519-sha256,diffie-hellman-group14-sha1;aes128-ctr,chacha20-poly1305@
// openssh.com;hmac-sha2-256;none,zlib@openssh.com" and of the server's lists likewise.
constexpr std::string_view kHassh = "180f91927a17e75ffbaf0b7358b4f7dd";
constexpr std::string_view kHasshServer = "fb63e6327e76feeab307abca351fe3f9";

TEST(SshParser, IdentificationLines) {
  auto b = ssh::ParseBanner(Bytes("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n"));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->proto_version.view(), "2.0");
  EXPECT_EQ(b->software.view(), "OpenSSH_8.9p1");
  EXPECT_EQ(b->comments.view(), "Ubuntu-3");
  auto old = ssh::ParseBanner(Bytes("SSH-1.99-OpenSSH_3.9p1\n"));  // frame 4
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->proto_version.view(), "1.99");
  EXPECT_FALSE(ssh::ParseBanner(Bytes("SSH-2.0\r\n")).has_value());
  EXPECT_FALSE(ssh::ParseBanner(Bytes("SSH--x\r\n")).has_value());
  EXPECT_FALSE(ssh::ParseBanner(Bytes("HTTP/1.1 200 OK\r\n")).has_value());
  EXPECT_EQ(LineEnd(Bytes("ab\ncd")), 3u);
  EXPECT_FALSE(LineEnd(Bytes("abc")).has_value());
}

TEST(SshParser, PacketHeaders) {
  // ssh_single-conn.pcap frame 12: length 20, padding 6, SSH_MSG_KEX_DH_GEX_REQUEST.
  auto h = ssh::ParsePacketHeader(Hex("00 00 00 14 06 22"));
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->packet_length, 20u);
  EXPECT_EQ(h->padding_length, 6);
  EXPECT_FALSE(ssh::ParsePacketHeader(Hex("00 00 00 14 03 22")).has_value());  // padding < 4
  EXPECT_FALSE(ssh::ParsePacketHeader(Hex("00 00 00 05 06 22")).has_value());  // < padding
  EXPECT_FALSE(ssh::ParsePacketHeader(Hex("00 10 00 01 06 22")).has_value());  // too long
  EXPECT_FALSE(ssh::ParsePacketHeader(Hex("00 00 00")).has_value());
}

TEST(SshParser, KexInitListsAndFingerprints) {
  core::Anomalies an;
  auto k = ssh::ParseKexInit(KexInit(kLists), an);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->kex.view(), kLists[0]);
  EXPECT_EQ(k->host_keys.view(), "ssh-ed25519");
  EXPECT_EQ(k->hassh.view(), kHassh);
  EXPECT_EQ(k->hassh_server.view(), kHasshServer);
  auto payload = KexInit(kLists);
  ForEachPrefix(payload, [&](std::span<const uint8_t> p) {
    core::Anomalies a;
    EXPECT_FALSE(ssh::ParseKexInit(p, a).has_value());
  });
}

TEST(SshDissector, AConnectionBecomesOneRemoteAccessSession) {
  StreamHarness h(Registered("ssh"));
  h.Response(Bytes("SSH-1.99-OpenSSH_3.9p1\n"), 4);  // the server speaks first
  h.Request(Bytes("SSH-2.0-OpenSSH_3.8.1p1\n"), 6);
  auto kex = Packet(KexInit(kLists));
  // The client's KEXINIT split in two segments, the server's in one.
  h.SendInChunks(flow::Direction::kFromInitiator, kex, kex.size() / 2 + 1, 8);
  h.Response(kex, 9);
  EXPECT_TRUE(h.sink.remote.empty());
  h.Request(Packet({21}), 16);                    // NEWKEYS
  h.Request(Hex("de ad be ef 00 11 22 33"), 18);  // encrypted from here: not read
  ASSERT_EQ(h.sink.remote.size(), 1u);
  const auto& s = h.sink.remote[0];
  EXPECT_STREQ(s.tool, "ssh");
  EXPECT_EQ(s.frame, 4u);
  EXPECT_EQ(s.client_software.view(), "OpenSSH_3.8.1p1");
  EXPECT_EQ(s.server_software.view(), "OpenSSH_3.9p1");
  EXPECT_EQ(s.client_fingerprint.view(), kHassh);
  EXPECT_EQ(s.server_fingerprint.view(), kHasshServer);
  EXPECT_EQ(s.client_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(s.server_port, 22);
  int kexinits = 0, newkeys = 0;
  for (const auto& p : h.sink.pdus) {
    kexinits += p.code == 20 && std::string_view(p.histogram) == "message_codes";
    newkeys += p.code == 21;
  }
  EXPECT_EQ(kexinits, 2);
  EXPECT_EQ(newkeys, 1);
  h.End();
  EXPECT_EQ(h.sink.remote.size(), 1u);
}

TEST(SshDissector, LinesBeforeTheServersIdentificationAreSkipped) {
  StreamHarness h(Registered("ssh"));
  h.Response(Bytes("SSH-2.0-dropbear_2022.83\r\n"), 1);
  h.Request(Bytes("SSH-2.0-PuTTY_Release_0.78\r\n"), 2);
  h.End();
  ASSERT_EQ(h.sink.remote.size(), 1u);
  EXPECT_EQ(h.sink.remote[0].server_software.view(), "dropbear_2022.83");
  EXPECT_EQ(h.sink.remote[0].client_software.view(), "PuTTY_Release_0.78");
}

TEST(SshDissector, EveryTruncatedStreamIsSafe) {
  std::vector<uint8_t> stream = Bytes("SSH-2.0-OpenSSH_9.0\r\n");
  auto kex = Packet(KexInit(kLists));
  stream.insert(stream.end(), kex.begin(), kex.end());
  ForEachPrefix(stream, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("ssh"));
    h.Request(p, 1);
    h.End();
    EXPECT_LE(h.sink.remote.size(), 1u);
  });
}

TEST(SshDissector, ProbeWantsSshDash) {
  const auto d = flow::Direction::kFromResponder;
  EXPECT_EQ(ssh::Probe(d, Bytes("SSH-2.0-OpenSSH_9.0\r\n")), ProbeResult::kYes);
  EXPECT_EQ(ssh::Probe(d, Bytes("SS")), ProbeResult::kMaybe);
  EXPECT_EQ(ssh::Probe(d, Bytes("GET / HTTP/1.1\r\n")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
