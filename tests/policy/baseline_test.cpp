// The baseline: what learning records, its file read back, and what analysis against it
// finds new.
#include "policy/baseline.h"

#include <gtest/gtest.h>

#include "policy_test_util.h"

namespace qw::policy {
namespace {

using testing_util::Ip;
using testing_util::Load;
using testing_util::Mac;

const char* kSite = R"(site: t
zones:
  - {name: it, kind: enterprise, subnets: [10.10.0.0/16]}
  - {name: rcms, kind: crane-management, subnets: [10.40.0.0/24]}
  - {name: crane, kind: crane-control, subnets: [10.50.1.0/24]}
)";

// A network's traffic, built up conversation by conversation.
class Traffic {
 public:
  Traffic() : comms_({}, anomalies_) {}
  Traffic& Flow(const char* from, const char* to, uint8_t transport, uint16_t port,
                const char* protocol, uint64_t frame) {
    testing_util::EndFlow(comms_, from, to, transport, port, protocol, frame);
    return *this;
  }
  Traffic& Op(const char* from, const char* to, dissect::IcsCategory category, const char* function,
              uint64_t frame) {
    dissect::IcsOperation op;
    op.protocol = "s7comm";
    op.function = function;
    op.category = category;
    op.where.requester_ip = Ip(from);
    op.where.device_ip = Ip(to);
    op.where.transport = 6;
    op.where.device_port = 102;
    op.request_frame = frame;
    comms_.OnIcsOperation(op);
    return *this;
  }
  Traffic& Device(const char* mac, std::vector<const char*> ips, uint64_t frame) {
    model::Asset a;
    if (mac) a.mac = Mac(mac);
    for (const char* ip : ips) a.ips.push_back(Ip(ip));
    a.first_seen = {0, frame};
    assets_.push_back(std::move(a));
    return *this;
  }
  model::Communications& comms() { return comms_; }
  std::vector<model::Asset>& assets() { return assets_; }

 private:
  core::Anomalies anomalies_;
  model::Communications comms_;
  std::vector<model::Asset> assets_;
};

TEST(Baseline, ServicesAndEndpointsAsTheBaselineWritesThem) {
  EXPECT_EQ(BaselineService("modbus", 6, 502), "modbus");
  EXPECT_EQ(BaselineService("", 6, 8080), "tcp/8080");
  EXPECT_EQ(BaselineService("", 17, 49152), "udp/49152-65535");
  EXPECT_EQ(BaselineService("", 17, 49151), "udp/49151");
  EXPECT_EQ(BaselineService("", 1, 0), "ip/1");
  // Without a policy any public address is the Internet; with one, what no zone holds.
  EXPECT_EQ(BaselineEndpoint(nullptr, Ip("203.0.113.9"), {}), "external");
  EXPECT_EQ(BaselineEndpoint(nullptr, Ip("10.0.0.9"), {}), "10.0.0.9");
  EXPECT_EQ(BaselineEndpoint(nullptr, Ip("255.255.255.255"), {}), "255.255.255.255");
  EXPECT_EQ(BaselineEndpoint(nullptr, {}, Mac("00:0e:8c:00:00:01")), "00:0e:8c:00:00:01");
  Policy p = Load(R"(site: t
zones:
  - {name: dmz, kind: dmz, subnets: [203.0.113.0/24]}
)");
  ZoneMap zones(p);
  EXPECT_EQ(BaselineEndpoint(&zones, Ip("203.0.113.9"), {}), "203.0.113.9");
  EXPECT_EQ(BaselineEndpoint(&zones, Ip("198.51.100.9"), {}), "external");
}

TEST(Baseline, LearntFileReadsBackToTheSameText) {
  Traffic t;
  t.Device("00:1b:1b:00:00:01", {"10.50.1.10"}, 1)
      .Device(nullptr, {"10.99.0.5"}, 2)     // behind a router
      .Device(nullptr, {"198.51.100.7"}, 3)  // on the Internet: not a device of the site
      .Flow("10.40.0.5", "10.50.1.10", 6, 102, "s7comm", 4)
      .Flow("10.10.0.7", "198.51.100.7", 6, 443, "tls", 5)
      .Flow("10.10.0.7", "198.51.100.8", 6, 443, "tls", 6)  // the same, as the baseline sees it
      .Op("10.40.0.5", "10.50.1.10", dissect::IcsCategory::kProgramChange, "download", 7)
      .Op("10.40.0.5", "10.50.1.10", dissect::IcsCategory::kWrite, "write-var", 8);
  Baseline b = LearnBaseline(t.assets(), t.comms(), nullptr);
  b.created_by = "quaywatch test";
  b.captures = {"a.pcap"};
  ASSERT_EQ(b.assets.size(), 2u);
  ASSERT_EQ(b.communications.size(), 2u);
  const BaselineCommunication* web = b.Find("10.10.0.7", "external", "tls");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->count, 2u);
  const BaselineCommunication* s7 = b.Find("10.40.0.5", "10.50.1.10", "s7comm");
  ASSERT_NE(s7, nullptr);
  EXPECT_EQ(s7->operations, (std::set<std::string>{"program-change", "write"}));
  const std::string text = BaselineText(b);
  EXPECT_NE(text.find(R"({"initiator":"10.40.0.5","responder":"10.50.1.10","service":"s7comm",)"
                      R"("operations":["program-change","write"],"count":1})"),
            std::string::npos)
      << text;
  auto again = ParseBaseline(text, "b.json");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(BaselineText(*again), text);
  EXPECT_EQ(again->created_by, "quaywatch test");
  EXPECT_TRUE(again->Knows(t.assets()[0]));
  EXPECT_TRUE(again->Knows(t.assets()[1]));
}

TEST(Baseline, AnalysisFindsWhatLearningDidNotSee) {
  Policy p = Load(kSite);
  ZoneMap zones(p);
  Traffic learnt;
  learnt.Device("00:1b:1b:00:00:01", {"10.50.1.10"}, 1)
      .Device("00:00:00:00:00:07", {"10.10.0.7"}, 1)
      .Flow("10.40.0.5", "10.50.1.10", 6, 102, "s7comm", 1)
      .Flow("10.10.0.7", "198.51.100.7", 6, 443, "tls", 2)
      .Op("10.40.0.5", "10.50.1.10", dissect::IcsCategory::kWrite, "write-var", 3);
  const Baseline b = LearnBaseline(learnt.assets(), learnt.comms(), &zones);

  Traffic now;
  now.Device("00:1b:1b:00:00:01", {"10.50.1.10", "10.50.1.11"}, 1)  // known MAC, new address
      .Device("00:00:00:00:00:07", {"10.10.0.7"}, 2)
      .Device("00:00:00:00:00:99", {"10.50.1.99"}, 30)        // new, in a crane zone
      .Device(nullptr, {"198.51.100.9"}, 31)                  // an Internet host: never a finding
      .Flow("10.40.0.5", "10.50.1.10", 6, 102, "s7comm", 40)  // learnt
      .Flow("10.10.0.7", "198.51.100.9", 6, 443, "tls", 41)   // learnt: another web server
      .Flow("10.10.0.7", "198.51.100.9", 6, 22, "ssh", 42)    // new service outside
      .Flow("10.10.0.7", "198.51.100.10", 6, 22, "ssh", 43)   // the same, folded in
      .Flow("10.10.0.7", "10.50.1.10", 6, 102, "s7comm", 44)  // new, into the crane zone
      .Op("10.40.0.5", "10.50.1.10", dissect::IcsCategory::kWrite, "write-var", 45)  // learnt
      .Op("10.40.0.5", "10.50.1.10", dissect::IcsCategory::kControllerState, "plc-stop", 46);
  FindingSet set;
  JudgeBaseline(b, &zones, now.assets(), now.comms(), set);
  const auto all = set.Sorted();
  std::vector<std::string> seen;
  for (const auto& f : all) {
    seen.push_back(std::string(SeverityName(f.severity)) + " " + f.type + " #" +
                   std::to_string(f.frame) + " x" + std::to_string(f.count) + ": " + f.title);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "high baseline.new_communication #44 x1: new communication: 10.10.0.7 (it) "
                      "to 10.50.1.10 (crane) over s7comm, not seen while learning",
                      "high baseline.new_communication #46 x1: new controller-state (s7comm "
                      "plc-stop) from 10.40.0.5 (rcms) to 10.50.1.10 (crane), not seen while "
                      "learning",
                      "medium baseline.new_asset #30 x1: new device 00:00:00:00:00:99 at "
                      "10.50.1.99, not seen while learning",
                      "low baseline.new_communication #42 x2: new communication: 10.10.0.7 (it) "
                      "to external over ssh, not seen while learning",
                  }));
  // The learnt network itself raises nothing.
  FindingSet none;
  JudgeBaseline(b, &zones, learnt.assets(), learnt.comms(), none);
  EXPECT_EQ(none.size(), 0u);
}

TEST(Baseline, ABadFileSaysWhereAndWhat) {
  auto error = [](const std::string& text) {
    auto r = ParseBaseline(text, "b.json");
    return r ? std::string("(read)") : r.error().message;
  };
  EXPECT_EQ(error("{\"format\": \"quaywatch-baseline\",\n \"version\": 1,,\n}"),
            "b.json:2:15: not JSON: syntax error while parsing object key - unexpected ','; "
            "expected string literal");
  // A number no JSON number type holds is refused with its place, not thrown (found by
  // fuzz_baseline; tests/fuzz/regressions/baseline keeps the input).
  EXPECT_EQ(error("{\"format\": \"quaywatch-baseline\",\n \"version\": 1e999}"),
            "b.json:2:13: not JSON: number overflow parsing '1e999'");
  EXPECT_EQ(error("[]"), "b.json: a baseline is a JSON object");
  EXPECT_EQ(error(R"({"format": "quaywatch-policy", "version": 1})"),
            "b.json: format: not a quaywatch baseline (format must be \"quaywatch-baseline\")");
  EXPECT_EQ(error(R"({"format": "quaywatch-baseline", "version": 2})"),
            "b.json: version: version 2 is not one this quaywatch reads (1)");
  EXPECT_EQ(error(R"({"format": "quaywatch-baseline", "version": 1, "asets": []})"),
            "b.json: asets: unknown key");
  EXPECT_EQ(error(R"({"format": "quaywatch-baseline", "version": 1,
                      "assets": [{"mac": "00:1b:1b:00:00:01"}, {"mac": "zz"}]})"),
            "b.json: assets[1].mac: 'zz' is not a MAC address");
  EXPECT_EQ(error(R"({"format": "quaywatch-baseline", "version": 1,
                      "communications": [{"initiator": "10.0.0.1", "service": "tls"}]})"),
            "b.json: communications[0]: a communication needs its responder");
  EXPECT_EQ(error(R"({"format": "quaywatch-baseline", "version": 1,
                      "communications": [{"initiator": "a", "responder": "b", "service": "c",
                                          "count": -1}]})"),
            "b.json: communications[0].count: must be a count");
  EXPECT_EQ(error(std::string(40, '[') + std::string(40, ']')),
            "b.json:1:17: nested deeper than 16 levels; not a baseline quaywatch wrote");
  EXPECT_EQ(error(R"({"format": "quaywatch-baseline", "version": 1})"), "(read)");
}

// A baseline that cannot be read says why: a folder was called larger than 256 MiB, a
// missing file gave no reason.
TEST(Baseline, AnUnreadableFileSaysWhy) {
  const std::string folder = ::testing::TempDir();
  auto dir = LoadBaseline(folder);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().message, folder + ": not a regular file");
  auto missing = LoadBaseline("/nonexistent/baseline.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "/nonexistent/baseline.json: cannot open: No such file or directory");
}

}  // namespace
}  // namespace qw::policy
