// Tests of the HTTP parser and dissector: heads of http/http_get.pcap (frame 4) and
// http/http_post.pcap (frames 4, 6 and 8), and exchanges built for the test: pipelining,
// HEAD, 100-continue, chunked bodies with trailers, uploads, gaps in bodies and heads,
// bodies to the close, malformed heads, every truncated prefix, and the probe. Counts and
// hosts of the shared captures are compared with tshark in the integration test.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "dissect/http/http_dissector.h"
#include "dissect/http/http_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using http::Check;
using http::Dialect;
using http::HeadStatus;
using testing::ForEachPrefix;
using testing::Registered;
using testing::StreamHarness;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// http_get.pcap frame 4: wget asks bro.org for a text file.
constexpr std::string_view kGetRequest =
    "GET /download/CHANGES.bro-aux.txt HTTP/1.1\r\n"  // request line
    "User-Agent: Wget/1.14 (darwin12.2.0)\r\n"
    "Accept: */*\r\n"
    "Host: bro.org\r\n"
    "Connection: Keep-Alive\r\n"
    "\r\n";  // end of the head: 136 bytes in all

// http_post.pcap frame 4: curl posts a form.
constexpr std::string_view kPostRequest =
    "POST /post HTTP/1.1\r\n"
    "User-Agent: curl/7.29.0\r\n"
    "Host: httpbin.org\r\n"
    "Accept: */*\r\n"
    "Content-Length: 11\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    "\r\n"
    "hello world";  // the body, 11 bytes

// http_post.pcap frames 6 and 8: the status line in one segment, the fields in the next.
constexpr std::string_view kPostStatus = "HTTP/1.1 200 OK\r\n";
constexpr std::string_view kPostFields =
    "Server: gunicorn/0.16.1\r\n"
    "Date: Tue, 19 Mar 2013 16:05:11 GMT\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 16\r\n"  // the capture's body is 366 bytes; this one is shorter
    "Connection: close\r\n"
    "\r\n";
constexpr std::string_view kPostBody = "{\"data\": \"hi\"}\r\n";  // 16 bytes

std::string Response(std::string_view status, std::string_view type, std::string_view body) {
  std::string r = "HTTP/1.1 ";
  r += status;
  r += "\r\nContent-Type: ";
  r += type;
  r += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  r += body;
  return r;
}

TEST(HttpParser, RequestHeadOfHttpGet) {
  http::Head h;
  auto res = http::ParseHead(Bytes(kGetRequest), Dialect::kHttp, true, h);
  ASSERT_EQ(res.status, HeadStatus::kComplete);
  EXPECT_EQ(h.length, 136u);
  EXPECT_EQ(h.method.view(), "GET");
  EXPECT_EQ(h.method_code, 1);
  EXPECT_EQ(h.uri.view(), "/download/CHANGES.bro-aux.txt");
  EXPECT_EQ(h.host.view(), "bro.org");
  EXPECT_EQ(h.user_agent.view(), "Wget/1.14 (darwin12.2.0)");
  EXPECT_EQ(h.content_length, -1);
  EXPECT_FALSE(h.close);
  EXPECT_EQ(h.anomaly, nullptr);
  // Every shorter prefix wants more; none is mistaken for a whole head or garbage.
  ForEachPrefix(Bytes(kGetRequest), [&](std::span<const uint8_t> p) {
    http::Head scratch;
    EXPECT_EQ(http::ParseHead(p, Dialect::kHttp, true, scratch).status, HeadStatus::kNeedMore)
        << p.size();
  });
}

// Read on from where it stopped, a head gives what one reading of it gives, whatever the
// steps its bytes came in: every field line is applied once, in order.
TEST(HttpParser, HeadReadOnFromWhereItStoppedIsTheSame) {
  const std::string head =
      "HTTP/1.1 200 OK\r\n"
      "Server: crane-hmi/2.1\r\n"
      "Content-Type: application/octet-stream\r\n"
      "Content-Length: 12\r\n"
      "Content-Length: 13\r\n"  // a second, differing length: counts as absent
      "X-Folded: a\r\n b\r\n"   // an obs-fold line
      "Content-Disposition: attachment; filename=\"c:\\plc\\ob1.mc7\"\r\n"
      "Connection: close\r\n"
      "\r\n";
  const auto bytes = Bytes(head);
  http::Head whole;
  ASSERT_EQ(http::ParseHead(bytes, Dialect::kHttp, false, whole).status, HeadStatus::kComplete);
  for (size_t step : {size_t{1}, size_t{2}, size_t{5}, size_t{17}}) {
    http::Head h;
    http::HeadProgress progress;
    HeadStatus status = HeadStatus::kNeedMore;
    size_t resumed = 0;
    for (size_t n = step; status == HeadStatus::kNeedMore; n = std::min(n + step, bytes.size())) {
      status =
          http::ParseHead(std::span(bytes).first(n), Dialect::kHttp, false, h, &progress).status;
      resumed += progress.at > 0;
    }
    ASSERT_EQ(status, HeadStatus::kComplete) << step;
    EXPECT_GT(resumed, 0u) << step;
    EXPECT_EQ(progress.at, 0u) << "emptied once whole";
    EXPECT_EQ(h.length, whole.length) << step;
    EXPECT_EQ(h.status, whole.status);
    EXPECT_EQ(h.server.view(), whole.server.view());
    EXPECT_EQ(h.content_type.view(), whole.content_type.view());
    EXPECT_EQ(h.content_length, whole.content_length);
    EXPECT_EQ(h.disposition_name.view(), whole.disposition_name.view());
    EXPECT_EQ(h.close, whole.close);
    EXPECT_EQ(h.anomaly, whole.anomaly);
  }
  EXPECT_EQ(whole.content_length, -1);
  EXPECT_EQ(whole.disposition_name.view(), "ob1.mc7");
}

TEST(HttpParser, ResponseHeadOfHttpPost) {
  const std::string head = std::string(kPostStatus) + std::string(kPostFields);
  http::Head h;
  auto res = http::ParseHead(Bytes(head), Dialect::kHttp, false, h);
  ASSERT_EQ(res.status, HeadStatus::kComplete);
  EXPECT_EQ(h.length, head.size());
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.server.view(), "gunicorn/0.16.1");
  EXPECT_EQ(h.content_type.view(), "application/json");
  EXPECT_EQ(h.content_length, 16);
  EXPECT_TRUE(h.close);
  ForEachPrefix(Bytes(head), [&](std::span<const uint8_t> p) {
    http::Head scratch;
    EXPECT_EQ(http::ParseHead(p, Dialect::kHttp, false, scratch).status, HeadStatus::kNeedMore);
  });
}

TEST(HttpParser, BadStartLinesAreRejected) {
  for (std::string_view bad :
       {"GET / HTTP/2.0\r\n\r\n", "FOO / HTTP/1.1\r\n\r\n", "GET  HTTP/1.1\r\n\r\n",
        "GET / RTSP/1.0\r\n\r\n", "get / HTTP/1.1\r\n"}) {
    http::Head h;
    EXPECT_EQ(http::ParseHead(Bytes(bad), Dialect::kHttp, true, h).status, HeadStatus::kInvalid)
        << bad;
  }
  for (std::string_view bad : {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000\r\n\r\n",
                               "HTTP/1.1 099 x\r\n\r\n", "HTTP/1.x 200 OK\r\n\r\n"}) {
    http::Head h;
    EXPECT_EQ(http::ParseHead(Bytes(bad), Dialect::kHttp, false, h).status, HeadStatus::kInvalid)
        << bad;
  }
  // A status line without a reason phrase is fine.
  http::Head h;
  EXPECT_EQ(http::ParseHead(Bytes("HTTP/1.0 404\r\n\r\n"), Dialect::kHttp, false, h).status,
            HeadStatus::kComplete);
  EXPECT_EQ(h.status, 404);
  // A request line longer than the cap is never waited for.
  std::string longline = "GET /" + std::string(http::kMaxLineBytes, 'a');
  EXPECT_EQ(http::ParseHead(Bytes(longline), Dialect::kHttp, true, h).status, HeadStatus::kInvalid);
}

TEST(HttpParser, RequestLinesPaddedWithWhitespaceAreReadAndMarked) {
  // http-manipulated.pcap of nDPI's tests: the method followed by many spaces, as a request
  // crafted to slip past a strict parser; servers read it, and so must a monitor.
  for (std::string_view loose :
       {"GET                  /very_long_uri HTTP/1.1\r\n\r\n",
        "GET\t/very_long_uri HTTP/1.1\r\n\r\n", "GET /very_long_uri  HTTP/1.1\r\n\r\n"}) {
    http::Head h;
    ASSERT_EQ(http::ParseHead(Bytes(loose), Dialect::kHttp, true, h).status, HeadStatus::kComplete)
        << loose;
    EXPECT_EQ(h.method.view(), "GET");
    EXPECT_EQ(h.uri.view(), "/very_long_uri");
    EXPECT_STREQ(h.anomaly, "loose_request_line") << loose;
  }
  http::Head h;
  ASSERT_EQ(http::ParseHead(Bytes(kGetRequest), Dialect::kHttp, true, h).status,
            HeadStatus::kComplete);
  EXPECT_EQ(h.anomaly, nullptr);
  EXPECT_EQ(http::ParseHead(Bytes("GET /a b HTTP/1.1\r\n\r\n"), Dialect::kHttp, true, h).status,
            HeadStatus::kInvalid);
}

TEST(HttpParser, FieldProblemsKeepTheMessage) {
  http::Head h;
  auto res =
      http::ParseHead(Bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
                      Dialect::kHttp, false, h);
  ASSERT_EQ(res.status, HeadStatus::kComplete);
  EXPECT_EQ(h.content_length, -1);  // conflicting: not trusted
  EXPECT_STREQ(h.anomaly, "bad_content_length");
  res = http::ParseHead(Bytes("HTTP/1.1 200 OK\r\nno colon here\r\nHost: a\r\n\r\n"),
                        Dialect::kHttp, false, h);
  ASSERT_EQ(res.status, HeadStatus::kComplete);
  EXPECT_STREQ(h.anomaly, "bad_field");
  EXPECT_EQ(h.host.view(), "a");
  std::string many = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i <= http::kMaxFields; ++i) many += "X-A: b\r\n";
  many += "Host: late\r\n\r\n";
  res = http::ParseHead(Bytes(many), Dialect::kHttp, true, h);
  ASSERT_EQ(res.status, HeadStatus::kComplete);
  EXPECT_STREQ(h.anomaly, "too_many_fields");
  EXPECT_TRUE(h.host.empty());  // past the cap: not interpreted
  res =
      http::ParseHead(Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n"
                            "Content-Disposition: attachment; filename=\"fw/PLC v2.bin\"\r\n\r\n"),
                      Dialect::kHttp, false, h);
  ASSERT_EQ(res.status, HeadStatus::kComplete);
  EXPECT_TRUE(h.chunked);
  EXPECT_EQ(h.disposition_name.view(), "PLC v2.bin");
  res = http::ParseHead(Bytes("HTTP/1.1 200 OK\r\nContent-Disposition: attachment; "
                              "filename=a.txt; filename*=UTF-8''b%20c.bin\r\n\r\n"),
                        Dialect::kHttp, false, h);
  EXPECT_EQ(h.disposition_name.view(), "b%20c.bin");
}

TEST(HttpParser, ChunkLines) {
  auto c = http::ParseChunkLine(Bytes("1A;name=value\r\ndata"));
  ASSERT_EQ(c.status, HeadStatus::kComplete);
  EXPECT_EQ(c.size, 26u);
  EXPECT_EQ(c.length, 15u);
  c = http::ParseChunkLine(Bytes("0\n"));
  EXPECT_EQ(c.status, HeadStatus::kComplete);
  EXPECT_EQ(c.size, 0u);
  EXPECT_EQ(http::ParseChunkLine(Bytes("1A")).status, HeadStatus::kNeedMore);
  EXPECT_EQ(http::ParseChunkLine(Bytes("zz\r\n")).status, HeadStatus::kInvalid);
  EXPECT_EQ(http::ParseChunkLine(Bytes("\r\n")).status, HeadStatus::kInvalid);
  EXPECT_EQ(http::ParseChunkLine(Bytes("1000000000000000\r\n")).status, HeadStatus::kInvalid);
}

TEST(HttpParser, NamesAndFileRule) {
  EXPECT_EQ(http::UriFileName("/download/CHANGES.bro-aux.txt"), "CHANGES.bro-aux.txt");
  EXPECT_EQ(http::UriFileName("/a/b.bin?x=/y"), "b.bin");
  EXPECT_EQ(http::UriFileName("http://host/fw.img#top"), "fw.img");
  EXPECT_EQ(http::UriFileName("http://host"), "");
  EXPECT_EQ(http::UriFileName("/"), "");
  EXPECT_TRUE(http::IsFileBody("text/plain; charset=UTF-8", false));
  EXPECT_TRUE(http::IsFileBody("application/octet-stream", false));
  EXPECT_TRUE(http::IsFileBody("", false));
  EXPECT_TRUE(http::IsFileBody("multipart/form-data; boundary=x", false));
  EXPECT_FALSE(http::IsFileBody("text/html; charset=utf-8", false));
  EXPECT_FALSE(http::IsFileBody("image/png", false));
  EXPECT_FALSE(http::IsFileBody("application/soap+xml; charset=utf-8", false));
  EXPECT_FALSE(http::IsFileBody("application/x-www-form-urlencoded", false));
  EXPECT_TRUE(http::IsFileBody("text/html", true));  // an attachment, whatever its type
  EXPECT_EQ(http::MethodCode("PROPFIND"), 10);
  EXPECT_EQ(http::MethodCode("BREW"), 0);
  EXPECT_STREQ(http::MethodName(4), "PUT");
}

TEST(HttpProbe, RequestAndStatusLines) {
  const auto& info = Registered("http");
  auto probe = [&](flow::Direction d, std::string_view s) { return info.probe(d, Bytes(s)); };
  using flow::Direction;
  EXPECT_EQ(probe(Direction::kFromInitiator, kGetRequest), ProbeResult::kYes);
  EXPECT_EQ(probe(Direction::kFromInitiator, "GE"), ProbeResult::kMaybe);
  EXPECT_EQ(probe(Direction::kFromInitiator, "GET /index.html HT"), ProbeResult::kMaybe);
  EXPECT_EQ(probe(Direction::kFromInitiator, "GET / RTSP/1.0\r\n"), ProbeResult::kNo);
  EXPECT_EQ(probe(Direction::kFromInitiator, "SSH-2.0-x\r\n"), ProbeResult::kNo);
  EXPECT_EQ(probe(Direction::kFromInitiator, "GETX / HTTP/1.1\r\n"), ProbeResult::kNo);
  EXPECT_EQ(probe(Direction::kFromResponder, "HTTP/1.1 200 OK\r\n"), ProbeResult::kYes);
  EXPECT_EQ(probe(Direction::kFromResponder, "HTTP/1"), ProbeResult::kMaybe);
  EXPECT_EQ(probe(Direction::kFromResponder, "GET / HTTP/1.1\r\n"), ProbeResult::kNo);
  EXPECT_EQ(probe(Direction::kFromInitiator, std::string(5000, 'G')), ProbeResult::kNo);
}

TEST(HttpDissector, DownloadIsOneExchangeAndOneFile) {
  StreamHarness h(Registered("http"));
  std::string body;
  for (int i = 0; i < 300; ++i) body += "line " + std::to_string(i) + "\n";
  const std::string response = std::string("HTTP/1.1 200 OK\r\nServer: Apache/2.4.3 (Unix)\r\n") +
                               "Content-Type: text/plain; charset=UTF-8\r\n" +
                               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  h.Request(Bytes(kGetRequest), 4);
  const auto bytes = Bytes(response);
  h.SendInChunks(flow::Direction::kFromResponder, bytes, 1448, 9);
  h.End();
  EXPECT_STREQ(h.Protocol(), "http");
  ASSERT_EQ(h.sink.http.size(), 1u);
  const HttpObservation& e = h.sink.http[0];
  EXPECT_STREQ(e.protocol, "http");
  EXPECT_EQ(e.method.view(), "GET");
  EXPECT_EQ(e.host.view(), "bro.org");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.request_frame, 4u);
  EXPECT_EQ(e.response_frame, 9u);
  EXPECT_EQ(e.response_body_bytes, body.size());
  EXPECT_EQ(e.file_name.view(), "CHANGES.bro-aux.txt");
  EXPECT_EQ(e.server.view(), "Apache/2.4.3 (Unix)");
  EXPECT_EQ(e.client_port, 50000);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  const FileTransferObservation& f = h.sink.transfers[0];
  EXPECT_STREQ(f.protocol, "http");
  EXPECT_STREQ(f.command, "GET");
  EXPECT_FALSE(f.upload);
  EXPECT_EQ(f.location.view(), "bro.org");
  EXPECT_EQ(f.file_name.view(), "CHANGES.bro-aux.txt");
  EXPECT_EQ(f.media_type.view(), "text/plain; charset=UTF-8");
  EXPECT_EQ(f.bytes, body.size());
  EXPECT_EQ(f.declared_size, static_cast<int64_t>(body.size()));
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.sha256.view(), core::Sha256(body).view());
  EXPECT_EQ(f.result.view(), "200");
  EXPECT_EQ(f.frame, 4u);
  EXPECT_EQ(f.end_frame, 9u);
  EXPECT_EQ(h.sink.Identity("http_server"), "Apache/2.4.3 (Unix)");
  EXPECT_EQ(h.sink.Identity("http_user_agent"), "Wget/1.14 (darwin12.2.0)");
  // Counted: one request (GET, method 1) and one response (status 200).
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_STREQ(h.sink.pdus[0].histogram, "methods");
  EXPECT_EQ(h.sink.pdus[0].code, 1u);
  EXPECT_EQ(h.sink.pdus[1].kind, PduKind::kResponse);
  EXPECT_EQ(h.sink.pdus[1].code, 200u);
}

TEST(HttpDissector, FormPostIsAnExchangeNotAFile) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes(kPostRequest), 4);
  h.Response(Bytes(kPostStatus), 6);
  h.Response(Bytes(std::string(kPostFields) + std::string(kPostBody)), 8);
  h.End();
  ASSERT_EQ(h.sink.http.size(), 1u);
  EXPECT_EQ(h.sink.http[0].method.view(), "POST");
  EXPECT_EQ(h.sink.http[0].request_body_bytes, 11u);
  EXPECT_EQ(h.sink.http[0].response_body_bytes, 16u);
  EXPECT_EQ(h.sink.http[0].content_type.view(), "application/json");
  EXPECT_EQ(h.sink.http[0].response_frame, 8u);  // the head was complete there
  EXPECT_TRUE(h.sink.transfers.empty());
  EXPECT_EQ(h.sink.Identity("http_server"), "gunicorn/0.16.1");
  EXPECT_TRUE(h.anomalies.counts().empty());
}

TEST(HttpDissector, PipelinedRequestsPairInOrder) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("GET /a.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                  "HEAD /b.bin HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"),
            4);
  // The HEAD answer announces a length but has no body (RFC 9110 9.3.2).
  h.Response(Bytes(Response("200 OK", "application/octet-stream", "ABCDEFGH") +
                   "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n" +
                   Response("404 Not Found", "text/html", "<p>no</p>")),
             5);
  h.End();
  ASSERT_EQ(h.sink.http.size(), 3u);
  EXPECT_EQ(h.sink.http[0].uri.view(), "/a.bin");
  EXPECT_EQ(h.sink.http[0].status, 200);
  EXPECT_EQ(h.sink.http[0].response_body_bytes, 8u);
  EXPECT_EQ(h.sink.http[1].method.view(), "HEAD");
  EXPECT_EQ(h.sink.http[1].response_body_bytes, 0u);
  EXPECT_EQ(h.sink.http[2].status, 404);
  EXPECT_EQ(h.sink.http[0].seq, 0u);  // three exchanges keyed on frame 4
  EXPECT_EQ(h.sink.http[2].seq, 2u);
  ASSERT_EQ(h.sink.transfers.size(), 1u);  // the HEAD has no body, the 404 is an error page
  EXPECT_EQ(h.sink.transfers[0].file_name.view(), "a.bin");
  size_t exceptions = 0;
  for (const auto& p : h.sink.pdus) exceptions += p.exception;
  EXPECT_EQ(exceptions, 1u);
}

// The queue of waiting requests grows as more wait at once, also when its ring has turned
// (an answer taken from its front before the next requests came): answers still pair with
// requests oldest first.
TEST(HttpDissector, WaitingRequestsPairInOrderAcrossTheQueueGrowing) {
  StreamHarness h(Registered("http"));
  auto get = [](int i) { return "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n"; };
  h.Request(Bytes(get(0) + get(1)), 4);
  h.Response(Bytes(Response("200 OK", "text/plain", "r0")), 5);
  h.Request(Bytes(get(2) + get(3) + get(4) + get(5)), 6);  // five wait: grown twice
  std::string answers;
  for (int i = 1; i <= 5; ++i) answers += Response("200 OK", "text/plain", "r" + std::to_string(i));
  h.Response(Bytes(answers), 7);
  h.End();
  ASSERT_EQ(h.sink.http.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(h.sink.http[i].uri.view(), "/" + std::to_string(i));
    EXPECT_EQ(h.sink.http[i].status, 200);
    EXPECT_EQ(h.sink.http[i].response_frame, i == 0 ? 5u : 7u);
  }
  EXPECT_EQ(h.anomalies.counts().count("http.too_many_pending"), 0u);
}

TEST(HttpDissector, TooManyPipelinedRequestsReportTheOldestUnanswered) {
  StreamHarness h(Registered("http"));
  std::string many;
  for (size_t i = 0; i < http::kMaxPendingRequests + 2; ++i) {
    many += "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  }
  h.Request(Bytes(many), 4);
  EXPECT_EQ(h.sink.http.size(), 2u);
  EXPECT_EQ(h.sink.http[0].uri.view(), "/0");
  EXPECT_EQ(h.sink.http[0].status, 0);
  EXPECT_EQ(h.anomalies.counts().at("http.too_many_pending"), 2u);
  h.End();
  EXPECT_EQ(h.sink.http.size(), http::kMaxPendingRequests + 2);
}

TEST(HttpDissector, ChunkedBodyWithTrailersByteByByte) {
  const std::string response =
      "HTTP/1.1 200 OK\r\n"
      "Transfer-Encoding: chunked\r\n"
      "Content-Type: application/octet-stream\r\n"
      "\r\n"
      "5;ext=1\r\n"  // chunk of 5 with an extension
      "hello\r\n"
      "6\r\n"
      " world\r\n"
      "0\r\n"              // last chunk
      "X-Checksum: 1\r\n"  // a trailer field
      "\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n";  // the next response
  for (size_t chunk : {size_t{1}, size_t{7}, response.size()}) {
    StreamHarness h(Registered("http"));
    h.Request(Bytes("GET /f HTTP/1.1\r\n\r\nGET /g HTTP/1.1\r\n\r\n"), 1);
    h.SendInChunks(flow::Direction::kFromResponder, Bytes(response), chunk, 2);
    h.End();
    ASSERT_EQ(h.sink.http.size(), 2u) << chunk;
    EXPECT_EQ(h.sink.http[0].response_body_bytes, 11u);
    EXPECT_EQ(h.sink.http[1].status, 204);
    ASSERT_EQ(h.sink.transfers.size(), 1u);
    EXPECT_EQ(h.sink.transfers[0].declared_size, -1);
    EXPECT_TRUE(h.sink.transfers[0].complete);
    EXPECT_EQ(h.sink.transfers[0].sha256.view(), core::Sha256("hello world").view());
    EXPECT_TRUE(h.anomalies.counts().empty());
  }
}

// A head that comes a byte at a time is read as if it came whole (the dissector does not
// parse it again from its start for each byte: 60 KB so took 0.28 s), with the frame of its
// last byte; the caps still hold at the byte that passes them.
TEST(HttpDissector, HeadsSentAByteAtATimeAreReadAsWhole) {
  std::string head = "GET /slow HTTP/1.1\r\nHost: plc.example\r\nUser-Agent: drip\r\n";
  for (int i = 0; i < 100; ++i) head += "X-Field-" + std::to_string(i) + ": value\r\n";
  head += "\r\n";
  StreamHarness h(Registered("http"));
  const auto bytes = Bytes(head);
  for (size_t i = 0; i < bytes.size(); ++i) {
    h.Send(flow::Direction::kFromInitiator, std::span(bytes).subspan(i, 1), i + 1);
  }
  h.Response(Bytes(Response("200 OK", "text/plain", "ok")), bytes.size() + 1);
  h.End();
  ASSERT_EQ(h.sink.http.size(), 1u);
  EXPECT_EQ(h.sink.http[0].uri.view(), "/slow");
  EXPECT_EQ(h.sink.http[0].host.view(), "plc.example");
  EXPECT_EQ(h.sink.http[0].user_agent.view(), "drip");
  EXPECT_EQ(h.sink.http[0].request_frame, bytes.size());
  EXPECT_EQ(h.sink.http[0].status, 200);
  EXPECT_TRUE(h.anomalies.counts().empty());

  // A field line that never ends is too long at its 8,192nd byte, a byte at a time too.
  StreamHarness g(Registered("http"));
  std::string endless = "GET /a HTTP/1.1\r\nX-Long: " + std::string(http::kMaxLineBytes, 'v');
  const auto drip = Bytes(endless);
  size_t raised_at = 0;
  for (size_t i = 0; i < drip.size() && raised_at == 0; ++i) {
    g.Send(flow::Direction::kFromInitiator, std::span(drip).subspan(i, 1), i + 1);
    if (g.anomalies.Count("http.line_too_long")) raised_at = i + 1;
  }
  EXPECT_EQ(raised_at, std::string("GET /a HTTP/1.1\r\n").size() + http::kMaxLineBytes);
}

TEST(HttpDissector, BadChunkSizeEndsTheBody) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("GET /f HTTP/1.1\r\n\r\n"), 1);
  h.Response(Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n"), 2);
  h.End();
  EXPECT_EQ(h.anomalies.counts().at("http.bad_chunk"), 1u);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_FALSE(h.sink.transfers[0].complete);
  EXPECT_EQ(h.sink.transfers[0].bytes, 3u);
}

TEST(HttpDissector, PutUploadWaitsForItsStatus) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("PUT /plc/project.zip HTTP/1.1\r\nHost: 10.0.0.2\r\n"
                  "Expect: 100-continue\r\nContent-Type: application/zip\r\n"
                  "Content-Length: 4\r\n\r\n"),
            1);
  h.Response(Bytes("HTTP/1.1 100 Continue\r\n\r\n"), 2);  // interim: pairs with nothing
  EXPECT_TRUE(h.sink.http.empty());
  h.Request(Bytes("PK\x03\x04"), 3);
  EXPECT_TRUE(h.sink.transfers.empty());  // the upload waits for its result
  h.Response(Bytes("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"), 4);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  const auto& f = h.sink.transfers[0];
  EXPECT_TRUE(f.upload);
  EXPECT_STREQ(f.command, "PUT");
  EXPECT_EQ(f.file_name.view(), "project.zip");
  EXPECT_EQ(f.location.view(), "10.0.0.2");
  EXPECT_EQ(f.result.view(), "201");
  EXPECT_EQ(f.bytes, 4u);
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.end_frame, 3u);
  ASSERT_EQ(h.sink.http.size(), 1u);
  EXPECT_EQ(h.sink.http[0].status, 201);
  EXPECT_EQ(h.sink.http[0].request_body_bytes, 4u);
  EXPECT_EQ(h.sink.pdus.size(), 3u);  // the request, 100 and 201
}

TEST(HttpDissector, GapInABodyLeavesAHole) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("GET /fw.bin HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n"), 1);
  h.Response(Bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123"), 2);
  h.Gap(flow::Direction::kFromResponder, 3);
  h.Response(Bytes("789" + Response("200 OK", "text/html", "<p/>")), 3);
  h.End();
  ASSERT_EQ(h.sink.http.size(), 2u);
  EXPECT_EQ(h.sink.http[1].uri.view(), "/next");
  EXPECT_EQ(h.sink.http[1].status, 200);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_FALSE(h.sink.transfers[0].complete);
  EXPECT_EQ(h.sink.transfers[0].bytes, 7u);
  EXPECT_TRUE(h.sink.transfers[0].sha256.empty());
  EXPECT_EQ(h.anomalies.counts().at("http.gap"), 1u);
}

TEST(HttpDissector, GapInAHeadResyncsAtTheNextStatusLine) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"), 1);
  h.Response(Bytes("HTTP/1.1 200 OK\r\nContent-"), 2);
  h.Gap(flow::Direction::kFromResponder, 100);
  h.Response(Bytes("ength: 3\r\n\r\nabc\r\n" + Response("200 OK", "text/html", "x")), 3);
  h.End();
  // The first response is lost; the second pairs with the oldest waiting request.
  ASSERT_EQ(h.sink.http.size(), 2u);
  EXPECT_EQ(h.sink.http[0].uri.view(), "/a");
  EXPECT_EQ(h.sink.http[0].status, 200);
  EXPECT_EQ(h.sink.http[1].uri.view(), "/b");
  EXPECT_EQ(h.sink.http[1].status, 0);  // unanswered at the end
}

TEST(HttpDissector, BodyToTheCloseIsCompleteAtTheEnd) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("GET /cfg.tar HTTP/1.0\r\n\r\n"), 1);
  h.Response(Bytes("HTTP/1.0 200 OK\r\nContent-Type: application/x-tar\r\n\r\nabc"), 2);
  h.Response(Bytes("def"), 3);
  h.End();
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_TRUE(h.sink.transfers[0].complete);
  EXPECT_EQ(h.sink.transfers[0].bytes, 6u);
  EXPECT_EQ(h.sink.transfers[0].declared_size, -1);
  ASSERT_EQ(h.sink.http.size(), 1u);
  EXPECT_EQ(h.sink.http[0].response_body_bytes, 6u);
}

TEST(HttpDissector, GarbageAfterAResponseIsSkippedUntilAStatusLine) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"), 1);
  h.Response(Bytes("HTTP/1.1 304 Not Modified\r\n\r\n\x01\x02 garbage\r\nmore\r\n" +
                   Response("200 OK", "text/css", "p{}")),
             2);
  h.End();
  ASSERT_EQ(h.sink.http.size(), 2u);
  EXPECT_EQ(h.sink.http[0].status, 304);
  EXPECT_EQ(h.sink.http[1].status, 200);
  EXPECT_EQ(h.anomalies.counts().at("http.bad_start_line"), 1u);
  EXPECT_TRUE(h.sink.transfers.empty());  // 304 has no body, CSS is a page's part
}

TEST(HttpDissector, SwitchingProtocolsStopsReading) {
  StreamHarness h(Registered("http"));
  h.Request(Bytes("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"), 1);
  h.Response(Bytes("HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello"), 2);
  h.Request(Bytes("\x81\x85garbage"), 3);
  h.End();
  ASSERT_EQ(h.sink.http.size(), 1u);
  EXPECT_EQ(h.sink.http[0].status, 101);
  EXPECT_TRUE(h.anomalies.counts().empty());
}

TEST(HttpDissector, OnvifDeviceInformationNamesTheCamera) {
  StreamHarness h(Registered("http"));
  const std::string soap =
      "<?xml version=\"1.0\"?><SOAP-ENV:Envelope><SOAP-ENV:Body>"
      "<tds:GetDeviceInformationResponse>"
      "<tds:Manufacturer>ACME</tds:Manufacturer>"
      "<tds:Model>IPC-X1</tds:Model>"
      "<tds:FirmwareVersion>V5.4.1</tds:FirmwareVersion>"
      "<tds:SerialNumber>SN123</tds:SerialNumber>"
      "<tds:HardwareId>1.0</tds:HardwareId>"
      "</tds:GetDeviceInformationResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>";
  h.Request(Bytes("POST /onvif/device_service HTTP/1.1\r\nContent-Type: application/soap+xml\r\n"
                  "Content-Length: 2\r\n\r\n<x"),
            1);
  const auto response = Bytes(Response("200 OK", "application/soap+xml; charset=utf-8", soap));
  h.SendInChunks(flow::Direction::kFromResponder, response, 50, 2);
  h.End();
  EXPECT_EQ(h.sink.Identity("vendor"), "ACME");
  EXPECT_EQ(h.sink.Identity("model"), "IPC-X1");
  EXPECT_EQ(h.sink.Identity("firmware"), "V5.4.1");
  EXPECT_EQ(h.sink.Identity("serial"), "SN123");
  bool onvif = false;
  for (const auto& id : h.sink.identities) onvif |= std::string_view(id.protocol) == "onvif";
  EXPECT_TRUE(onvif);
  EXPECT_TRUE(h.sink.transfers.empty());  // SOAP is an API call, not a file
}

// A whole conversation, cut at every length, then the flow ends: nothing breaks, and what
// is reported never claims more than was sent.
TEST(HttpDissector, EveryTruncatedPrefixOfAConversation) {
  const std::string request = std::string(kGetRequest) +
                              "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "3\r\nabc\r\n0\r\n\r\n";
  const std::string response =
      Response("200 OK", "text/plain", "0123456789") +
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
  const auto req = Bytes(request);
  const auto resp = Bytes(response);
  ForEachPrefix(resp, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("http"));
    h.Request(req, 1);
    if (!p.empty()) h.Response(p, 2);
    h.End();
    EXPECT_EQ(h.sink.http.size(), 2u) << p.size();  // both requests, answered or not
    for (const auto& f : h.sink.transfers) EXPECT_LE(f.bytes, 10u);
  });
  ForEachPrefix(req, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("http"));
    if (p.empty()) return;
    h.Request(p, 1);
    h.Response(resp, 2);
    h.End();
    EXPECT_LE(h.sink.http.size(), 2u) << p.size();
  });
}

}  // namespace
}  // namespace qw::dissect
