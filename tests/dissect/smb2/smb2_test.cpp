// Tests of the SMB2 parser and dissector: headers, TREE_CONNECT, CREATE, WRITE, READ and
// CLOSE bodies laid out field by field after [MS-SMB2] 2.2 (names and sizes made up for the
// test), a compounded CREATE+READ+CLOSE, the SMB3 transform header, an SMB1 negotiate
// (cifs_negotiate_lanman.pcap frame 4), malformed lengths, gaps, a streamed long write, and
// every truncated prefix. tshark's counts of the shared captures are compared in the
// integration test.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/digest.h"
#include "dissect/smb2/smb2_dissector.h"
#include "dissect/smb2/smb2_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;
using testing::Hex;
using testing::RecordingSink;
using testing::Registered;
using testing::StreamHarness;

// Little-endian hex of the low `bytes` bytes of v.
std::string Le(uint64_t v, int bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; ++i, v >>= 8) {
    out += kDigits[(v >> 4) & 0xf];
    out += kDigits[v & 0xf];
    out += ' ';
  }
  return out;
}

// UTF-16LE hex of ASCII text.
std::string Utf16(std::string_view text) {
  std::string out;
  for (char c : text) out += Le(static_cast<uint8_t>(c), 2);
  return out;
}

// Hex of bytes.
std::string HexOf(const std::vector<uint8_t>& bytes) {
  std::string out;
  for (uint8_t b : bytes) out += Le(b, 1);
  return out;
}

constexpr uint32_t kResponse = 0x1, kAsync = 0x2, kRelated = 0x4;

// An SMB2 header ([MS-SMB2] 2.2.1.2, sync form).
std::string Header(uint16_t command, uint32_t flags, uint64_t message_id, uint32_t tree_id,
                   uint32_t status = 0, uint32_t next_command = 0) {
  return "fe 53 4d 42 "                                       // protocol id 0xFE 'SMB'
         "40 00 "                                             // structure size 64
         "01 00 " +                                           // credit charge
         Le(status, 4) +                                      // status
         Le(command, 2) +                                     // command
         "01 00 " +                                           // credits
         Le(flags, 4) +                                       // flags
         Le(next_command, 4) +                                // next command
         Le(message_id, 8) +                                  // message id
         "00 00 00 00 " +                                     // process id (reserved)
         Le(tree_id, 4) +                                     // tree id
         "11 22 33 44 55 66 77 88 " +                         // session id
         "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ";  // signature
}

// The 4-byte Direct TCP header in front of `message` ([MS-SMB2] 2.1).
std::vector<uint8_t> Nbss(const std::string& message_hex) {
  std::vector<uint8_t> m = Hex(message_hex);
  std::vector<uint8_t> out = {0x00, static_cast<uint8_t>(m.size() >> 16),
                              static_cast<uint8_t>(m.size() >> 8), static_cast<uint8_t>(m.size())};
  out.insert(out.end(), m.begin(), m.end());
  return out;
}

// Members compounded into one message ([MS-SMB2] 3.2.4.1.4): each but the last padded to
// 8 bytes, its NextCommand (header bytes 20-23) set to its padded length.
std::vector<uint8_t> Compound(const std::vector<std::string>& members) {
  std::vector<uint8_t> all;
  for (size_t i = 0; i < members.size(); ++i) {
    std::vector<uint8_t> m = Hex(members[i]);
    if (i + 1 < members.size()) {
      while (m.size() % 8) m.push_back(0);
      for (int b = 0; b < 4; ++b) m[20 + b] = static_cast<uint8_t>(m.size() >> (8 * b));
    }
    all.insert(all.end(), m.begin(), m.end());
  }
  std::vector<uint8_t> out = {0x00, static_cast<uint8_t>(all.size() >> 16),
                              static_cast<uint8_t>(all.size() >> 8),
                              static_cast<uint8_t>(all.size())};
  out.insert(out.end(), all.begin(), all.end());
  return out;
}

const std::string kFileId =
    "01 00 00 00 00 00 00 00 "   // persistent
    "02 00 00 00 00 00 00 00 ";  // volatile
const std::string kChained = "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ";

// NEGOTIATE request ([MS-SMB2] 2.2.3), two dialects.
std::string NegotiateRequest() {
  return Header(0, 0, 0, 0) +
         "24 00 "                                            // structure size 36
         "02 00 "                                            // dialect count
         "01 00 "                                            // security mode: signing enabled
         "00 00 "                                            // reserved
         "00 00 00 00 "                                      // capabilities
         "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "  // client guid
         "00 00 00 00 00 00 00 00 "                          // start time
         "02 02 10 02 ";                                     // dialects 2.0.2, 2.1
}

// TREE_CONNECT request ([MS-SMB2] 2.2.9) for `path`.
std::string TreeConnectRequest(uint64_t id, std::string_view path) {
  return Header(3, 0, id, 0) +
         "09 00 "                  // structure size 9
         "00 00 "                  // flags
         "48 00 " +                // path offset 72: right after the fixed part
         Le(path.size() * 2, 2) +  // path length
         Utf16(path);              // path
}

// TREE_CONNECT response ([MS-SMB2] 2.2.10) giving tree `tree`.
std::string TreeConnectResponse(uint64_t id, uint32_t tree) {
  return Header(3, kResponse, id, tree) +
         "10 00 "         // structure size 16
         "01 "            // share type: disk
         "00 "            // reserved
         "00 00 00 00 "   // share flags
         "00 00 00 00 "   // capabilities
         "ff 01 1f 00 ";  // maximal access
}

// CREATE request ([MS-SMB2] 2.2.13) for `name` on `tree`.
std::string CreateRequest(uint64_t id, uint32_t tree, std::string_view name, uint32_t flags = 0,
                          uint32_t next = 0) {
  return Header(5, flags, id, tree, 0, next) +
         "39 00 "                    // structure size 57
         "00 "                       // security flags
         "00 "                       // requested oplock level
         "02 00 00 00 "              // impersonation level
         "00 00 00 00 00 00 00 00 "  // create flags
         "00 00 00 00 00 00 00 00 "  // reserved
         "89 00 12 00 "              // desired access
         "80 00 00 00 "              // file attributes: normal
         "07 00 00 00 "              // share access
         "05 00 00 00 "              // create disposition: overwrite-if
         "44 00 00 00 "              // create options
         "78 00 " +                  // name offset 120: right after the fixed part
         Le(name.size() * 2, 2) +    // name length
         "00 00 00 00 "              // create contexts offset
         "00 00 00 00 " +            // create contexts length
         Utf16(name);
}

// CREATE response ([MS-SMB2] 2.2.14) opening kFileId with end of file `eof`.
std::string CreateResponse(uint64_t id, uint32_t tree, uint64_t eof, uint32_t flags = kResponse,
                           uint32_t next = 0) {
  return Header(5, flags, id, tree, 0, next) +
         "59 00 "                      // structure size 89
         "00 "                         // oplock level
         "00 "                         // flags
         "02 00 00 00 "                // create action: created
         "00 00 00 00 00 00 00 00 "    // creation time
         "00 00 00 00 00 00 00 00 "    // last access time
         "00 00 00 00 00 00 00 00 "    // last write time
         "00 00 00 00 00 00 00 00 "    // change time
         "00 00 00 00 00 00 00 00 " +  // allocation size
         Le(eof, 8) +                  // end of file
         "80 00 00 00 "                // file attributes
         "00 00 00 00 " +              // reserved
         kFileId +                     // file id
         "00 00 00 00 "                // create contexts offset
         "00 00 00 00 ";               // create contexts length
}

// WRITE request ([MS-SMB2] 2.2.21) of `data` at `offset` of kFileId.
std::string WriteRequest(uint64_t id, uint32_t tree, uint64_t offset,
                         const std::vector<uint8_t>& data) {
  return Header(9, 0, id, tree) +
         "31 00 "              // structure size 49
         "70 00 " +            // data offset 112: right after the fixed part
         Le(data.size(), 4) +  // length
         Le(offset, 8) +       // offset
         kFileId +             // file id
         "00 00 00 00 "        // channel
         "00 00 00 00 "        // remaining bytes
         "00 00 "              // write channel info offset
         "00 00 "              // write channel info length
         "00 00 00 00 " +      // flags
         HexOf(data);
}

// WRITE response ([MS-SMB2] 2.2.22).
std::string WriteResponse(uint64_t id, uint32_t tree, uint32_t count, uint32_t status = 0) {
  if (status != 0) {
    return Header(9, kResponse, id, tree, status) +
           "09 00 00 00 00 00 00 00 00 ";  // error response: size 9, no data
  }
  return Header(9, kResponse, id, tree) +
         "11 00 "        // structure size 17
         "00 00 " +      // reserved
         Le(count, 4) +  // count
         "00 00 00 00 "  // remaining
         "00 00 "        // write channel info offset
         "00 00 ";       // write channel info length
}

// READ request ([MS-SMB2] 2.2.19) of `length` bytes at `offset`.
std::string ReadRequest(uint64_t id, uint32_t tree, uint64_t offset, uint32_t length,
                        uint32_t flags = 0, const std::string& file = kFileId, uint32_t next = 0) {
  return Header(8, flags, id, tree, 0, next) +
         "31 00 "         // structure size 49
         "50 "            // padding
         "00 " +          // flags
         Le(length, 4) +  // length
         Le(offset, 8) +  // offset
         file +           // file id
         "00 00 00 00 "   // minimum count
         "00 00 00 00 "   // channel
         "00 00 00 00 "   // remaining bytes
         "00 00 "         // read channel info offset
         "00 00 "         // read channel info length
         "00 ";           // buffer
}

// READ response ([MS-SMB2] 2.2.20) carrying `data`.
std::string ReadResponse(uint64_t id, uint32_t tree, const std::vector<uint8_t>& data,
                         uint32_t flags = kResponse, uint32_t next = 0) {
  return Header(8, flags, id, tree, 0, next) +
         "11 00 "              // structure size 17
         "50 "                 // data offset 80: right after the fixed part
         "00 " +               // reserved
         Le(data.size(), 4) +  // data length
         "00 00 00 00 "        // data remaining
         "00 00 00 00 " +      // flags
         HexOf(data);
}

// CLOSE request ([MS-SMB2] 2.2.15) asking for the attributes.
std::string CloseRequest(uint64_t id, uint32_t tree, uint32_t flags = 0,
                         const std::string& file = kFileId) {
  return Header(6, flags, id, tree) +
         "18 00 "          // structure size 24
         "01 00 "          // flags: postquery attrib
         "00 00 00 00 " +  // reserved
         file;
}

// CLOSE response ([MS-SMB2] 2.2.16) with end of file `eof`.
std::string CloseResponse(uint64_t id, uint32_t tree, uint64_t eof, uint32_t flags = kResponse) {
  return Header(6, flags, id, tree) +
         "3c 00 "                      // structure size 60
         "01 00 "                      // flags: postquery attrib
         "00 00 00 00 "                // reserved
         "00 00 00 00 00 00 00 00 "    // creation time
         "00 00 00 00 00 00 00 00 "    // last access time
         "00 00 00 00 00 00 00 00 "    // last write time
         "00 00 00 00 00 00 00 00 "    // change time
         "00 00 00 00 00 00 00 00 " +  // allocation size
         Le(eof, 8) +                  // end of file
         "80 00 00 00 ";               // file attributes
}

std::vector<uint8_t> Content(size_t n) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(i * 7 + 3);
  return out;
}

std::string Sha256Of(const std::vector<uint8_t>& bytes) {
  return std::string(
      core::Sha256(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))
          .view());
}

int Count(const RecordingSink& sink, std::string_view protocol, std::string_view histogram,
          uint32_t code) {
  int n = 0;
  for (const auto& p : sink.pdus) {
    n += protocol == p.protocol && histogram == p.histogram && p.code == code;
  }
  return n;
}

TEST(Smb2Parser, Header) {
  auto m = Hex(Header(5, kResponse | kRelated, 0x1234, 7, 0xC0000034, 0x68));
  auto h = smb2::ParseHeader(m);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->command, 5);
  EXPECT_EQ(h->status, 0xC0000034u);
  EXPECT_TRUE(h->response());
  EXPECT_TRUE(h->related());
  EXPECT_FALSE(h->async());
  EXPECT_EQ(h->next_command, 0x68u);
  EXPECT_EQ(h->message_id, 0x1234u);
  EXPECT_EQ(h->tree_id, 7u);
  EXPECT_EQ(h->session_id, 0x8877665544332211u);
  ForEachPrefix(m,
                [](std::span<const uint8_t> p) { EXPECT_FALSE(smb2::ParseHeader(p).has_value()); });
  auto bad = m;
  bad[4] = 0x41;  // structure size 65
  EXPECT_FALSE(smb2::ParseHeader(bad).has_value());
  EXPECT_EQ(smb2::Classify(Hex("fd 53 4d 42")), smb2::MessageKind::kTransform);
  EXPECT_EQ(smb2::Classify(Hex("fc 53 4d 42")), smb2::MessageKind::kCompressed);
  EXPECT_EQ(smb2::Classify(Hex("ff 53 4d 42")), smb2::MessageKind::kSmb1);
  EXPECT_EQ(smb2::Classify(Hex("fe 53 4d 43")), smb2::MessageKind::kUnknown);
}

TEST(Smb2Parser, Bodies) {
  auto tc = Hex(TreeConnectRequest(1, "\\\\srv\\share"));
  auto t = smb2::ParseTreeConnectRequest(tc);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path.view(), "\\\\srv\\share");
  auto cr = Hex(CreateRequest(2, 1, "dir\\file.txt"));
  auto c = smb2::ParseCreateRequest(cr);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->name.view(), "dir\\file.txt");
  EXPECT_EQ(c->disposition, 5u);
  auto cs = Hex(CreateResponse(2, 1, 4096));
  auto o = smb2::ParseCreateResponse(cs);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->create_action, 2u);
  EXPECT_EQ(o->end_of_file, 4096u);
  EXPECT_EQ(o->file_id.persistent, 1u);
  EXPECT_EQ(o->file_id.volatile_id, 2u);
  auto wr = Hex(WriteRequest(3, 1, 10, Content(5)));
  auto w = smb2::ParseWriteRequest(wr);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->offset, 10u);
  EXPECT_EQ(w->data.data_offset, 112u);
  EXPECT_EQ(w->data.data_length, 5u);
  auto rq = Hex(ReadRequest(4, 1, 20, 300));
  auto q = smb2::ParseReadRequest(rq);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->offset, 20u);
  EXPECT_EQ(q->length, 300u);
  auto rs = Hex(ReadResponse(4, 1, Content(3)));
  auto d = smb2::ParseReadResponse(rs);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->data_offset, 80u);
  EXPECT_EQ(d->data_length, 3u);
  auto cl = Hex(CloseRequest(5, 1));
  EXPECT_TRUE(smb2::ParseCloseRequest(cl).has_value());
  auto cp = Hex(CloseResponse(5, 1, 77));
  auto x = smb2::ParseCloseResponse(cp);
  ASSERT_TRUE(x.has_value());
  EXPECT_TRUE(x->has_attributes);
  EXPECT_EQ(x->end_of_file, 77u);
  // Every prefix that cuts the fixed part or a name is refused.
  ForEachPrefix(tc, [](auto p) { EXPECT_FALSE(smb2::ParseTreeConnectRequest(p)); });
  ForEachPrefix(cr, [](auto p) { EXPECT_FALSE(smb2::ParseCreateRequest(p)); });
  ForEachPrefix(cs, [](auto p) { EXPECT_FALSE(smb2::ParseCreateResponse(p)); });
  ForEachPrefix(cl, [](auto p) { EXPECT_FALSE(smb2::ParseCloseRequest(p)); });
  ForEachPrefix(cp, [](auto p) { EXPECT_FALSE(smb2::ParseCloseResponse(p)); });
  ForEachPrefix(rq, [](auto p) { EXPECT_FALSE(smb2::ParseReadRequest(p)); });
  // Reads and writes are parsed from their fixed part; their data may lie beyond.
  ForEachPrefix(rs, [](auto p) {
    EXPECT_EQ(smb2::ParseReadResponse(p).has_value(), p.size() >= smb2::kReadResponseFixedBytes);
  });
  ForEachPrefix(wr, [](auto p) {
    EXPECT_EQ(smb2::ParseWriteRequest(p).has_value(), p.size() >= smb2::kWriteRequestFixedBytes);
  });
}

TEST(Smb2Parser, MalformedLengths) {
  // A path offset past the message.
  auto tc = Hex(TreeConnectRequest(1, "\\\\a\\b"));
  tc[64 + 4] = 0xF0;
  EXPECT_FALSE(smb2::ParseTreeConnectRequest(tc).has_value());
  // A name length past the message.
  auto cr = Hex(CreateRequest(2, 1, "x"));
  cr[64 + 46] = 0xFF;
  EXPECT_FALSE(smb2::ParseCreateRequest(cr).has_value());
  // Write data said to start inside the fixed part.
  auto wr = Hex(WriteRequest(3, 1, 0, Content(4)));
  wr[64 + 2] = 0x10;
  EXPECT_FALSE(smb2::ParseWriteRequest(wr).has_value());
  // UTF-16 beyond ASCII and an unpaired surrogate.
  smb2::Name n;
  smb2::AppendUtf16(Hex("e9 00 3d d8 00 de 00 d8 41 00"), n);  // é, U+1F600, lone, A
  EXPECT_EQ(n.view(), "\xc3\xa9\xf0\x9f\x98\x80.A");
}

// A whole session: negotiate, tree connect, create, two writes, close.
struct WriteSession {
  std::vector<uint8_t> data = Content(1000);
  std::vector<uint8_t> first = std::vector<uint8_t>(data.begin(), data.begin() + 600);
  std::vector<uint8_t> second = std::vector<uint8_t>(data.begin() + 600, data.end());
  std::vector<std::vector<uint8_t>> requests = {
      Nbss(NegotiateRequest()),
      Nbss(TreeConnectRequest(1, "\\\\srv\\share")),
      Nbss(CreateRequest(2, 9, "dir\\report.bin")),
      Nbss(WriteRequest(3, 9, 0, first)),
      Nbss(WriteRequest(4, 9, 600, second)),
      Nbss(CloseRequest(5, 9)),
  };
  std::vector<std::vector<uint8_t>> responses = {
      {},
      Nbss(TreeConnectResponse(1, 9)),
      Nbss(CreateResponse(2, 9, 0)),
      Nbss(WriteResponse(3, 9, 600)),
      Nbss(WriteResponse(4, 9, 400)),
      Nbss(CloseResponse(5, 9, 1000)),
  };
  void Run(StreamHarness& h) {
    uint64_t frame = 1;
    for (size_t i = 0; i < requests.size(); ++i) {
      h.Request(requests[i], frame++);
      if (!responses[i].empty()) h.Response(responses[i], frame++);
    }
  }
};

// Trees are kept as they are connected, up to kMaxTrees; past it the oldest give way (and
// say so), and a tree connected after the cap still names the share of its files.
TEST(Smb2Dissector, TreesPastTheCapEvictTheOldestAndStillNameTheirShare) {
  StreamHarness h(Registered("smb2"));
  uint64_t frame = 1, id = 1;
  h.Request(Nbss(NegotiateRequest()), frame++);
  constexpr uint32_t kTrees = smb2::kMaxTrees + 4;
  for (uint32_t t = 0; t < kTrees; ++t, ++id) {
    h.Request(Nbss(TreeConnectRequest(id, "\\\\srv\\share" + std::to_string(t))), frame++);
    h.Response(Nbss(TreeConnectResponse(id, 100 + t)), frame++);
  }
  EXPECT_EQ(h.anomalies.counts().at("smb2.too_many_trees"), 4u);
  const uint32_t last = 100 + kTrees - 1;
  const std::vector<uint8_t> data = Content(10);
  h.Request(Nbss(CreateRequest(id, last, "a.bin")), frame++);
  h.Response(Nbss(CreateResponse(id++, last, 0)), frame++);
  h.Request(Nbss(WriteRequest(id, last, 0, data)), frame++);
  h.Response(Nbss(WriteResponse(id++, last, 10)), frame++);
  h.Request(Nbss(CloseRequest(id, last)), frame++);
  h.Response(Nbss(CloseResponse(id++, last, 10)), frame++);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_EQ(h.sink.transfers[0].location.view(), "\\\\srv\\share" + std::to_string(kTrees - 1));
  EXPECT_EQ(h.sink.transfers[0].bytes, 10u);
}

TEST(Smb2Dissector, AWrittenFileIsOneUploadWithItsHash) {
  StreamHarness h(Registered("smb2"));
  WriteSession s;
  s.Run(h);
  EXPECT_STREQ(h.Protocol(), "smb2");
  ASSERT_EQ(h.sink.transfers.size(), 1u);  // reported at the close, not the end
  const auto& f = h.sink.transfers[0];
  EXPECT_STREQ(f.protocol, "smb2");
  EXPECT_STREQ(f.command, "write");
  EXPECT_TRUE(f.upload);
  EXPECT_EQ(f.file_name.view(), "dir\\report.bin");
  EXPECT_EQ(f.location.view(), "\\\\srv\\share");
  EXPECT_EQ(f.bytes, 1000u);
  EXPECT_EQ(f.declared_size, 1000);
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.sha256.view(), Sha256Of(s.data));
  EXPECT_EQ(f.result.view(), "STATUS_SUCCESS");
  EXPECT_EQ(f.frame, 4u);      // the create request
  EXPECT_EQ(f.end_frame, 8u);  // the second write
  EXPECT_EQ(f.client_ip.ToString(), "10.0.0.1");
  EXPECT_EQ(f.server_port, 445);
  EXPECT_EQ(f.data_flow_id, 0u);
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 9), 4);  // two writes, two responses
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 0), 1);
  h.End();
  EXPECT_EQ(h.sink.transfers.size(), 1u);
}

TEST(Smb2Dissector, EveryTruncatedSessionIsSafe) {
  WriteSession s;
  std::vector<uint8_t> stream;
  for (const auto& r : s.requests) stream.insert(stream.end(), r.begin(), r.end());
  ForEachPrefix(stream, [&](std::span<const uint8_t> p) {
    StreamHarness h(Registered("smb2"));
    h.Request(p, 1);
    h.End();
    for (const auto& f : h.sink.transfers) EXPECT_LE(f.bytes, 1000u);
  });
}

TEST(Smb2Dissector, AReadFileIsOneDownloadAgainstTheSizeTheOpenSaid) {
  StreamHarness h(Registered("smb2"));
  auto data = Content(300);
  h.Request(Nbss(CreateRequest(2, 9, "a.txt")), 1);
  h.Response(Nbss(CreateResponse(2, 9, 300)), 2);
  h.Request(Nbss(ReadRequest(3, 9, 0, 300)), 3);
  h.Response(Nbss(ReadResponse(3, 9, data)), 4);
  EXPECT_TRUE(h.sink.transfers.empty());
  h.End();  // never closed: reported at the end of the flow
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  const auto& f = h.sink.transfers[0];
  EXPECT_STREQ(f.command, "read");
  EXPECT_FALSE(f.upload);
  EXPECT_EQ(f.declared_size, 300);
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.sha256.view(), Sha256Of(data));
  EXPECT_EQ(f.end_frame, 4u);
  EXPECT_TRUE(f.location.empty());  // its tree connect was not seen
}

TEST(Smb2Dissector, AFileWhoseOpenWasMissedIsKeyedOnItsFirstRead) {
  StreamHarness h(Registered("smb2"));
  auto data = Content(20);
  h.Request(Nbss(ReadRequest(3, 9, 0, 20)), 7);
  h.Response(Nbss(ReadResponse(3, 9, data)), 8);
  h.Request(Nbss(CloseRequest(4, 9)), 9);
  h.Response(Nbss(CloseResponse(4, 9, 20)), 10);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_EQ(h.sink.transfers[0].frame, 7u);
  EXPECT_EQ(h.sink.transfers[0].end_frame, 8u);
  EXPECT_TRUE(h.sink.transfers[0].file_name.empty());
  EXPECT_TRUE(h.sink.transfers[0].complete);  // against the size the close reported
}

TEST(Smb2Dissector, CompoundedCreateReadCloseFollowsTheChainedFile) {
  StreamHarness h(Registered("smb2"));
  auto data = Content(40);
  // The read and close name "the file of the request before" (FileId all ones).
  h.Request(Compound({CreateRequest(10, 9, "c.bin"), ReadRequest(11, 9, 0, 40, kRelated, kChained),
                      CloseRequest(12, 9, kRelated, kChained)}),
            1);
  h.Response(Compound({CreateResponse(10, 9, 40), ReadResponse(11, 9, data, kResponse | kRelated),
                       CloseResponse(12, 9, 40, kResponse | kRelated)}),
             2);
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 5), 2);
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 8), 2);
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 6), 2);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_EQ(h.sink.transfers[0].file_name.view(), "c.bin");
  EXPECT_EQ(h.sink.transfers[0].sha256.view(), Sha256Of(data));
  EXPECT_TRUE(h.sink.transfers[0].complete);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(Smb2Dissector, CompoundsAreCapped) {
  StreamHarness h(Registered("smb2"));
  std::vector<std::string> members(smb2::kMaxCompoundMembers + 1,
                                   Header(13, 0, 1, 0) + "04 00 00 00");
  h.Request(Compound(members), 1);
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 13), static_cast<int>(smb2::kMaxCompoundMembers));
  EXPECT_EQ(h.anomalies.Count("smb2.too_many_compounded"), 1u);
}

TEST(Smb2Dissector, ALongWriteIsStreamedNotHeld) {
  StreamHarness h(Registered("smb2"));
  auto data = Content(300000);  // beyond kMaxParsedMessageBytes and the attacher's buffer
  h.Request(Nbss(CreateRequest(2, 9, "big.iso")), 1);
  h.Response(Nbss(CreateResponse(2, 9, 0)), 2);
  auto write = Nbss(WriteRequest(3, 9, 0, data));
  h.SendInChunks(flow::Direction::kFromInitiator, write, 1448, 3);
  h.Request(Nbss(CloseRequest(5, 9)), 4);
  h.Response(Nbss(CloseResponse(5, 9, 300000)), 5);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_EQ(h.sink.transfers[0].bytes, 300000u);
  EXPECT_TRUE(h.sink.transfers[0].complete);
  EXPECT_EQ(h.sink.transfers[0].sha256.view(), Sha256Of(data));
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 9), 1);
}

TEST(Smb2Dissector, AGapInsideAStreamedWriteLeavesItIncomplete) {
  StreamHarness h(Registered("smb2"));
  auto data = Content(100000);
  h.Request(Nbss(CreateRequest(2, 9, "big.bin")), 1);
  h.Response(Nbss(CreateResponse(2, 9, 0)), 2);
  auto write = Nbss(WriteRequest(3, 9, 0, data));
  const std::span<const uint8_t> all(write);
  h.Request(all.first(5000), 3);
  h.Gap(flow::Direction::kFromInitiator, 1000);
  h.Request(all.subspan(6000), 4);
  h.Request(Nbss(CloseRequest(5, 9)), 5);  // framing survived the hole
  h.Response(Nbss(CloseResponse(5, 9, 100000)), 6);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_FALSE(h.sink.transfers[0].complete);
  EXPECT_TRUE(h.sink.transfers[0].sha256.empty());
  EXPECT_EQ(h.sink.transfers[0].bytes, 99000u);
}

TEST(Smb2Dissector, ErrorsInterimResponsesAndExceptions) {
  StreamHarness h(Registered("smb2"));
  // SESSION_SETUP answered "more processing required": a step, not an exception.
  h.Request(Nbss(Header(1, 0, 1, 0) + "19 00 00 01 00 00 00 00 00 00 00 00 58 00 00 00 "
                                      "00 00 00 00 00 00 00 00 "),  // no security buffer
            1);
  h.Response(Nbss(Header(1, kResponse, 1, 0, 0xC0000016) + "09 00 00 00 00 00 00 00 00 "), 2);
  // A write answered first STATUS_PENDING (async interim), then access denied.
  h.Request(Nbss(CreateRequest(2, 9, "ro.txt")), 3);
  h.Response(Nbss(CreateResponse(2, 9, 0)), 4);
  h.Request(Nbss(WriteRequest(3, 9, 0, Content(10))), 5);
  h.Response(Nbss(Header(9, kResponse | kAsync, 3, 0, 0x103) + "09 00 00 00 00 00 00 00 00 "), 6);
  h.Response(Nbss(WriteResponse(3, 9, 0, 0xC0000022)), 7);
  h.End();
  int exceptions = 0;
  for (const auto& p : h.sink.pdus) exceptions += p.exception;
  EXPECT_EQ(exceptions, 1);
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  EXPECT_EQ(h.sink.transfers[0].result.view(), "STATUS_ACCESS_DENIED");
  EXPECT_FALSE(h.sink.transfers[0].complete);
  EXPECT_TRUE(h.sink.transfers[0].sha256.empty());  // of bytes the server refused
}

// A read that fails partway leaves a download that is neither complete nor hashed, even with
// no size to measure it against (its open was missed): the bytes that came are only the
// first part of the file (found by fuzz_smb2).
TEST(Smb2Dissector, AReadThatFailsPartwayHasNoHash) {
  StreamHarness h(Registered("smb2"));
  auto data = Content(100);
  h.Request(Nbss(ReadRequest(3, 9, 0, 100)), 3);
  h.Response(Nbss(ReadResponse(3, 9, data)), 4);
  h.Request(Nbss(ReadRequest(4, 9, 100, 100)), 5);
  h.Response(Nbss(Header(8, kResponse, 4, 9, 0xC000000D) + "09 00 00 00 00 00 00 00 00 "), 6);
  h.End();
  ASSERT_EQ(h.sink.transfers.size(), 1u);
  const auto& f = h.sink.transfers[0];
  EXPECT_STREQ(f.command, "read");
  EXPECT_EQ(f.bytes, 100u);
  EXPECT_EQ(f.declared_size, -1);
  EXPECT_FALSE(f.complete);
  EXPECT_TRUE(f.sha256.empty());
  EXPECT_EQ(f.result.view(), "STATUS_INVALID_PARAMETER");
}

TEST(Smb2Dissector, TransformAndSmb1AreCountedNotRead) {
  StreamHarness h(Registered("smb2"));
  // SMB3 transform header ([MS-SMB2] 2.2.41) and 16 bytes of ciphertext.
  h.Request(Nbss("fd 53 4d 42 "                                       // protocol id
                 "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff "   // signature
                 "01 02 03 04 05 06 07 08 09 0a 0b 00 00 00 00 00 "   // nonce
                 "10 00 00 00 "                                       // original message size
                 "00 00 "                                             // reserved
                 "01 00 "                                             // flags: encrypted
                 "3d 00 00 94 00 48 00 00 "                           // session id
                 "de ad be ef de ad be ef de ad be ef de ad be ef"),  // encrypted message
            1);
  // cifs_negotiate_lanman.pcap frame 4: SMB1 NEGOTIATE (0x72), cut after the header.
  h.Request(Nbss("ff 53 4d 42 "                          // protocol id
                 "72 "                                   // command: negotiate
                 "00 00 00 00 "                          // status
                 "18 "                                   // flags
                 "53 c8 "                                // flags2
                 "00 00 00 00 00 00 00 00 00 00 00 00 "  // pid high, signature, reserved
                 "ff ff fe ff 00 00 00 00 "              // tid, pid, uid, mid
                 "00 00 00 "),                           // word count, byte count
            2);
  EXPECT_EQ(Count(h.sink, "smb2", "transform", 0xFD), 1);
  EXPECT_EQ(Count(h.sink, "smb", "commands", 0x72), 1);
  EXPECT_EQ(h.sink.pdus.size(), 2u);
}

TEST(Smb2Dissector, GarbageResynchronisesOnTheNextHeader) {
  StreamHarness h(Registered("smb2"));
  h.Request(Nbss(NegotiateRequest()), 1);
  std::vector<uint8_t> junk = Hex("42 00 00 10 de ad be ef 00 11 22 33");  // not an NBSS type
  auto next = Nbss(TreeConnectRequest(1, "\\\\srv\\ipc$"));
  junk.insert(junk.end(), next.begin(), next.end());
  h.Request(junk, 2);
  EXPECT_EQ(h.anomalies.Count("smb2.bad_framing"), 1u);
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 3), 1);
  // A NextCommand past the message: the member is read alone.
  auto bad = Nbss(Header(0, 0, 5, 0, 0, 0x400) + "24 00 00 00 00 00 00 00");
  h.Request(bad, 3);
  EXPECT_EQ(h.anomalies.Count("smb2.bad_next_command"), 1u);
}

TEST(Smb2Dissector, NetbiosSessionPacketsAreSkipped) {
  StreamHarness h(Registered("smb2"));
  // RFC 1002 4.3.2 session request on TCP 139: called and calling names, 68 bytes.
  h.Request(Hex("81 00 00 44 "                                         // type, flags, length 68
                "20 43 4b 46 44 45 4e 45 43 46 44 45 46 46 43 46 47 "  // called name
                "45 46 46 43 43 41 43 41 43 41 43 41 43 41 43 41 00 "
                "20 45 4d 45 50 45 44 45 42 45 4d 45 49 45 50 46 44 "  // calling name
                "46 45 43 41 43 41 43 41 43 41 43 41 43 41 41 41 00"),
            1);
  h.Response(Hex("82 00 00 00"), 2);  // positive session response
  h.Request(Hex("85 00 00 00"), 3);   // keep-alive
  h.Request(Nbss(NegotiateRequest()), 4);
  EXPECT_STREQ(h.Protocol(), "smb2");
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 0), 1);
  EXPECT_TRUE(h.anomalies.empty());
}

TEST(Smb2Dissector, GarbageFirstIsNotSmb) {
  StreamHarness h(Registered("smb2"));
  h.Request(Hex("00 00 00 10 fe 53 4d 42 00 00"), 1);        // probe yes, header cut short...
  h.Request(Hex("00 00 00 00 00 00 00 00 00 00 00 00"), 2);  // ...and far too short
  h.End();
  EXPECT_EQ(Count(h.sink, "smb2", "commands", 0), 0);
}

// SESSION_SETUP request ([MS-SMB2] 2.2.5) carrying an NTLMSSP AUTHENTICATE message
// ([MS-NLMP] 2.2.1.3) behind a few bytes of SPNEGO wrapping.
std::string SessionSetupNtlm() {
  const std::string ntlm =
      "4e 54 4c 4d 53 53 50 00 "    // signature "NTLMSSP\0"
      "03 00 00 00 "                // message type: AUTHENTICATE
      "00 00 00 00 48 00 00 00 "    // LM response: empty
      "00 00 00 00 48 00 00 00 "    // NT response: empty
      "08 00 08 00 48 00 00 00 "    // domain: 8 bytes at 72
      "1a 00 1a 00 50 00 00 00 "    // user: 26 bytes at 80
      "06 00 06 00 6a 00 00 00 "    // workstation: 6 bytes at 106
      "00 00 00 00 70 00 00 00 "    // encrypted session key: empty
      "35 82 08 e2 "                // flags: NTLMSSP_NEGOTIATE_UNICODE among others
      "0a 00 63 45 00 00 00 0f " +  // version
      Utf16("SUSE") +
      Utf16("administrator") + Utf16("WS1");
  const std::string spnego = "a1 70 30 6e a2 6c 04 6a ";  // wrapping, not read
  const size_t buffer = Hex(spnego + ntlm).size();
  return Header(1, 0, 2, 0) +
         "19 00 "                      // structure size 25
         "00 "                         // flags
         "01 "                         // security mode
         "01 00 00 00 "                // capabilities
         "00 00 00 00 "                // channel
         "58 00 " +                    // security buffer offset 88: right after the fixed part
         Le(buffer, 2) +               // security buffer length
         "00 00 00 00 00 00 00 00 " +  // previous session id
         spnego +
         ntlm;
}

TEST(Smb2Dissector, NtlmAuthenticationNamesTheClient) {
  auto m = Hex(SessionSetupNtlm());
  auto a = smb2::ParseSessionSetupNtlm(m);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->domain.view(), "SUSE");
  EXPECT_EQ(a->user.view(), "administrator");
  EXPECT_EQ(a->workstation.view(), "WS1");
  ForEachPrefix(m, [](auto p) { EXPECT_FALSE(smb2::ParseSessionSetupNtlm(p).has_value()); });
  StreamHarness h(Registered("smb2"));
  h.Request(Nbss(SessionSetupNtlm()), 5);
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_STREQ(h.sink.identities[0].protocol, "smb2");
  EXPECT_EQ(h.sink.identities[0].ip.ToString(), "10.0.0.1");
  EXPECT_EQ(h.sink.Identity("ntlm_user"), "SUSE\\administrator");
  EXPECT_EQ(h.sink.Identity("ntlm_workstation"), "WS1");
}

TEST(Smb2Dissector, Probe) {
  const auto d = flow::Direction::kFromInitiator;
  EXPECT_EQ(smb2::Probe(d, Nbss(NegotiateRequest())), ProbeResult::kYes);
  EXPECT_EQ(smb2::Probe(d, Hex("00 00 00 40 fe 53")), ProbeResult::kMaybe);
  EXPECT_EQ(smb2::Probe(d, Hex("00 00 00 40 fe 53 4d 43")), ProbeResult::kNo);
  EXPECT_EQ(smb2::Probe(d, Hex("00 00 00 10 fe 53 4d 42")), ProbeResult::kNo);  // < header
  EXPECT_EQ(smb2::Probe(d, Hex("00 00 00 40 16 03 01 00")), ProbeResult::kNo);
  // RFC 1002 session request: "CKFDENECFDEFFCFGEFFCCACACACACACA" called name.
  EXPECT_EQ(smb2::Probe(d, Hex("81 00 00 44 20 43 4b 46 44 45 4e 45 43 46 44 45 46 46 43 46 47 "
                               "45 46 46 43 43 41 43 41 43 41 43 41 43 41 43 41 00")),
            ProbeResult::kYes);
  EXPECT_EQ(smb2::Probe(d, Hex("81 00 00 44 20 5a")), ProbeResult::kNo);
  EXPECT_EQ(smb2::Probe(d, Hex("47 45 54 20")), ProbeResult::kNo);
  // A server side captured without its client's (openics EIP-RemoteModeChangeAttempt.pcap
  // frames 584 and 585): the positive session response, then SMB1's negotiate response.
  EXPECT_EQ(smb2::Probe(d, Hex("82 00 00 00")), ProbeResult::kMaybe);
  EXPECT_EQ(smb2::Probe(d, Hex("82 00 00 00 00 00 00 55 ff 53 4d 42 72")), ProbeResult::kYes);
  EXPECT_EQ(smb2::Probe(d, Hex("82 00 00 00 47 45 54 20")), ProbeResult::kNo);
  EXPECT_EQ(smb2::Probe(d, Hex("82 00 01 00 00 00 00 55 ff 53 4d 42 72")), ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
