// Tests of the RTSP dissector (the HTTP engine's RTSP dialect): a camera session built for
// the test (OPTIONS, DESCRIBE with an SDP answer, SETUP, PLAY, interleaved RTP), answers
// out of order paired by CSeq, every truncated prefix, and the probe.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dissect/rtsp/rtsp_dissector.h"
#include "dissect/rtsp/rtsp_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::Registered;
using testing::StreamHarness;
using namespace std::string_view_literals;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

constexpr std::string_view kSdp =
    "v=0\r\n"
    "o=- 1 1 IN IP4 10.0.0.2\r\n"
    "s=IPC-X1 Camera\r\n"  // the session name
    "i=Main stream\r\n"    // session information
    "t=0 0\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "i=track one\r\n";  // media level: not the session's

std::string Describe() {
  return "RTSP/1.0 200 OK\r\nCSeq: 2\r\nServer: Hipcam RealServer/V1.0\r\n"
         "Content-Type: application/sdp\r\nContent-Length: " +
         std::to_string(kSdp.size()) + "\r\n\r\n" + std::string(kSdp);
}

TEST(RtspParser, InterleavedAndSdp) {
  auto f = rtsp::ParseInterleaved(Hex("24 01 00 10"));  // '$', channel 1, 16 bytes
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->channel, 1);
  EXPECT_EQ(f->length, 16);
  EXPECT_FALSE(rtsp::ParseInterleaved(Hex("24 01 00")).has_value());
  EXPECT_FALSE(rtsp::ParseInterleaved(Hex("25 01 00 10")).has_value());
  auto n = rtsp::ParseSdpNames(Bytes(kSdp));
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->session.view(), "IPC-X1 Camera");
  EXPECT_EQ(n->info.view(), "Main stream");
  EXPECT_FALSE(rtsp::ParseSdpNames(Bytes("v=0\r\ns=-\r\n")).has_value());
  EXPECT_FALSE(rtsp::ParseSdpNames(Bytes("s=x\r\n")).has_value());  // not SDP: no v= first
  ForEachPrefix(Bytes(kSdp), [](std::span<const uint8_t> p) { (void)rtsp::ParseSdpNames(p); });
}

TEST(RtspProbe, RequestAndStatusLines) {
  const auto& info = Registered("rtsp");
  using flow::Direction;
  EXPECT_EQ(info.probe(Direction::kFromInitiator,
                       Bytes("OPTIONS rtsp://10.0.0.2:554/ RTSP/1.0\r\nCSeq: 1\r\n\r\n")),
            ProbeResult::kYes);
  EXPECT_EQ(info.probe(Direction::kFromInitiator, Bytes("DESCRIBE rtsp://cam/")),
            ProbeResult::kMaybe);
  EXPECT_EQ(info.probe(Direction::kFromInitiator, Bytes("OPTIONS * HTTP/1.1\r\n")),
            ProbeResult::kNo);
  EXPECT_EQ(info.probe(Direction::kFromInitiator, Bytes("GET / RTSP/1.0\r\n")), ProbeResult::kNo);
  EXPECT_EQ(info.probe(Direction::kFromResponder, Bytes("RTSP/1.0 200 OK\r\n")), ProbeResult::kYes);
  EXPECT_EQ(Registered("http").probe(Direction::kFromResponder, Bytes("RTSP/1.0 200 OK\r\n")),
            ProbeResult::kNo);
}

TEST(RtspDissector, CameraSessionPairsByCSeq) {
  StreamHarness h(Registered("rtsp"));
  h.Request(
      Bytes("OPTIONS rtsp://10.0.0.2/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: VLC/3.0\r\n\r\n"
            "DESCRIBE rtsp://10.0.0.2/ RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n"),
      1);
  // The DESCRIBE answer comes first: pairing is by CSeq, not by order.
  h.Response(Bytes(Describe() + "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: DESCRIBE, PLAY\r\n\r\n"), 2);
  h.Request(Bytes("PLAY rtsp://10.0.0.2/ RTSP/1.0\r\nCSeq: 3\r\nSession: 7\r\n\r\n"), 3);
  // Interleaved RTP before the answer; the 4th byte says 5 data bytes follow.
  h.Response(Bytes("$\x00\x00\x05"
                   "ABCDE"
                   "RTSP/1.0 454 Session Not Found\r\nCSeq: 3\r\n\r\n"
                   "$\x01\x00\x02"
                   "xy"sv),
             4);
  h.End();
  EXPECT_STREQ(h.Protocol(), "rtsp");
  ASSERT_EQ(h.sink.http.size(), 3u);
  EXPECT_STREQ(h.sink.http[0].protocol, "rtsp");
  EXPECT_EQ(h.sink.http[0].method.view(), "DESCRIBE");
  EXPECT_EQ(h.sink.http[0].response_body_bytes, kSdp.size());
  EXPECT_EQ(h.sink.http[1].method.view(), "OPTIONS");
  EXPECT_EQ(h.sink.http[2].method.view(), "PLAY");
  EXPECT_EQ(h.sink.http[2].status, 454);
  EXPECT_EQ(h.sink.Identity("rtsp_server"), "Hipcam RealServer/V1.0");
  EXPECT_EQ(h.sink.Identity("rtsp_user_agent"), "VLC/3.0");
  EXPECT_EQ(h.sink.Identity("rtsp_session"), "IPC-X1 Camera");
  EXPECT_EQ(h.sink.Identity("rtsp_session_info"), "Main stream");
  EXPECT_TRUE(h.sink.transfers.empty());
  EXPECT_TRUE(h.anomalies.counts().empty());
  // Counted: OPTIONS 7, DESCRIBE 20, PLAY 24; three answers.
  std::vector<uint32_t> methods;
  for (const auto& p : h.sink.pdus) {
    if (std::string_view(p.histogram) == "methods") methods.push_back(p.code);
  }
  EXPECT_EQ(methods, (std::vector<uint32_t>{7, 20, 24}));
}

TEST(RtspDissector, EveryTruncatedPrefixOfAnAnswer) {
  const auto answer = Bytes(Describe() + std::string("$\x00\x00\x03"
                                                     "abc"sv));
  ForEachPrefix(answer, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("rtsp"));
    h.Request(Bytes("DESCRIBE rtsp://cam/ RTSP/1.0\r\nCSeq: 2\r\n\r\n"), 1);
    h.Response(p, 2);
    h.End();
    ASSERT_EQ(h.sink.http.size(), 1u) << p.size();
    EXPECT_LE(h.sink.http[0].response_body_bytes, kSdp.size());
  });
}

}  // namespace
}  // namespace qw::dissect
