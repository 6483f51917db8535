// Integration: quaywatch over every capture of ../shared/pcaps, compared with tshark run
// now on the same file. Frame counts per protocol follow tshark's display-filter
// semantics (a frame counts once for each protocol anywhere in it); conversations follow
// `tshark -q -z conv,tcp` and `conv,udp`. Counts must match exactly, or the difference
// must be one listed in kExplained below, with its reason.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tshark_cache.h"

namespace fs = std::filesystem;

namespace {

// A difference between quaywatch and tshark that a deliberate rule explains.
struct Explained {
  const char* file;     // relative to shared/pcaps
  const char* counter;  // "frames", "vlan", "conv_tcp", ...
  int64_t delta;        // quaywatch minus tshark
  const char* reason;
};

// Every entry says why the two tools count differently; none hides a bug of ours.
constexpr const char* kSnmpRule =
    "tshark's SNMP dissector expects agents to answer from another port and so opens a "
    "conversation per direction: each request/response pair is two conv,udp lines; quaywatch "
    "keeps one bidirectional flow per 5-tuple";
constexpr const char* kIdleRule =
    "quaywatch ends a UDP flow after two minutes of silence (FlowLimits::udp_idle_ns), so "
    "that memory follows live flows; this capture repeats 5-tuples after longer silences, "
    "and tshark, which has no timeout, joins them into one conversation";
constexpr std::array<Explained, 9> kExplained = {{
    {"bacnet/BACnet-exception-schedule-property-1.pcapng", "conv_udp", 1, kIdleRule},
    {"bacnet/bacnet_example.pcap", "conv_udp", 27, kIdleRule},
    {"dhcp/dhcp-rfc4388.pcap", "conv_udp", 4, kIdleRule},
    {"profinet/profinet_io_cm_mixed_1.pcap", "conv_udp", 1, kIdleRule},
    {"profinet/profinet_io_cm_read.pcapng", "conv_udp", 2, kIdleRule},
    {"snmp/snmp-ipv4.pcap", "conv_udp", -1, kSnmpRule},
    {"snmp/snmpv1_get.pcap", "conv_udp", -28, kSnmpRule},
    {"snmp/snmpv2_get_next.pcap", "conv_udp", -4, kSnmpRule},
    {"snmp/snmpv3_get_next.pcap", "conv_udp", -1, kSnmpRule},
}};

fs::path SharedPcaps() {
  if (const char* env = std::getenv("QW_SHARED_DIR")) return fs::path(env) / "pcaps";
  return fs::path(QW_SOURCE_DIR) / ".." / "shared" / "pcaps";
}

bool HaveTshark() { return std::system("tshark --version >/dev/null 2>&1") == 0; }

// Runs a command and returns its standard output; sets ok to whether it exited 0.
std::string Run(const std::string& cmd, bool* ok) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    *ok = false;
    return out;
  }
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  *ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return out;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

// Wireshark's WTAP_ENCAP numbers for the link types of the shared captures, named as
// quaywatch's summary names them.
std::string EncapName(const std::string& wtap) {
  static const std::map<std::string, std::string> kNames = {
      {"1", "ethernet"}, {"15", "null"},  {"25", "linux-sll"}, {"210", "linux-sll2"},
      {"7", "raw"},      {"129", "ipv4"}, {"130", "ipv6"},
  };
  auto it = kNames.find(wtap);
  return it == kNames.end() ? "wtap-" + wtap : it->second;
}

// What tshark counts in one capture.
std::map<std::string, int64_t> TsharkCounts(const fs::path& file) {
  std::map<std::string, int64_t> c;
  bool ok;
  std::string out =
      qw::tshark_cache::Ask("tshark -n -r " + Quote(file) +
                            " -T fields -E occurrence=f -E separator='|' -e frame.encap_type "
                            "-e vlan -e ieee8021ad -e arp -e ip -e ipv6 -e tcp -e udp 2>/dev/null",
                        file, &ok, Run);
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '|')) f.push_back(field);
    f.resize(8);
    ++c["frames"];
    ++c["link:" + EncapName(f[0])];
    c["vlan"] += !f[1].empty() || !f[2].empty();
    c["arp"] += !f[3].empty();
    c["ipv4"] += !f[4].empty();
    c["ipv6"] += !f[5].empty();
    c["tcp"] += !f[6].empty();
    c["udp"] += !f[7].empty();
  }
  // One pass for both tables; each starts with a "TCP Conversations" or "UDP ..." title.
  std::string conv = qw::tshark_cache::Ask(
      "tshark -n -r " + Quote(file) + " -q -z conv,tcp -z conv,udp 2>/dev/null", file, &ok, Run);
  std::istringstream cl(conv);
  std::string table;
  c["conv_tcp"] = c["conv_udp"] = 0;
  while (std::getline(cl, line)) {
    if (line.rfind("TCP Conversations", 0) == 0) table = "conv_tcp";
    if (line.rfind("UDP Conversations", 0) == 0) table = "conv_udp";
    if (!table.empty() && line.find("<->") != std::string::npos) ++c[table];
  }
  return c;
}

// What quaywatch counts in one capture, from its summary.json.
std::map<std::string, int64_t> QuaywatchCounts(const fs::path& file, const fs::path& out,
                                               std::string* error) {
  std::map<std::string, int64_t> c;
  bool ok;
  std::string log = Run(
      std::string(QW_BINARY) + " analyze " + Quote(file) + " --out " + Quote(out) + " 2>&1", &ok);
  if (!ok) {
    *error = log;
    return c;
  }
  std::ifstream in(out / "summary.json");
  auto j = nlohmann::json::parse(in);
  c["frames"] = j["capture"]["frames"];
  for (auto& [name, n] : j["capture"]["files"][0]["link_types"].items()) {
    c["link:" + name] = n;
  }
  for (const char* k : {"vlan", "arp", "ipv4", "ipv6", "tcp", "udp"}) c[k] = j["frames"][k];
  c["conv_tcp"] = j["flows"]["tcp"];
  c["conv_udp"] = j["flows"]["udp"];
  return c;
}

std::vector<fs::path> Captures() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto& e : fs::recursive_directory_iterator(SharedPcaps(), ec)) {
    auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TsharkCompare, EveryCounterOfEverySharedCaptureMatches) {
  if (!fs::exists(SharedPcaps())) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps()
                 << " not found; the tshark comparisons over shared captures did not run";
  }
  if (!HaveTshark()) {
    GTEST_SKIP() << "SKIPPED: tshark not installed; the tshark comparisons did not run";
  }
  auto files = Captures();
  ASSERT_FALSE(files.empty()) << "no captures under " << SharedPcaps();
  fs::path tmp = fs::temp_directory_path() / ("qw-tshark-" + std::to_string(::getpid()));
  std::map<std::pair<std::string, std::string>, const Explained*> explained;
  for (const auto& e : kExplained) explained[{e.file, e.counter}] = &e;
  size_t used_explanations = 0;
  for (const auto& file : files) {
    std::string rel = fs::relative(file, SharedPcaps()).string();
    SCOPED_TRACE(rel);
    std::string error;
    auto ours = QuaywatchCounts(file, tmp, &error);
    ASSERT_TRUE(error.empty()) << "quaywatch failed on " << rel << ": " << error;
    auto theirs = TsharkCounts(file);
    std::map<std::string, int64_t> keys;
    for (auto& [k, v] : ours) keys[k] = 0;
    for (auto& [k, v] : theirs) keys[k] = 0;
    for (auto& [k, unused] : keys) {
      int64_t delta = ours[k] - theirs[k];
      auto it = explained.find({rel, k});
      if (it != explained.end()) {
        ++used_explanations;
        EXPECT_EQ(delta, it->second->delta)
            << rel << " " << k << ": quaywatch " << ours[k] << ", tshark " << theirs[k]
            << "; the explained difference (" << it->second->reason << ") no longer holds";
      } else {
        EXPECT_EQ(delta, 0) << rel << " " << k << ": quaywatch " << ours[k] << ", tshark "
                            << theirs[k];
      }
    }
  }
  EXPECT_EQ(used_explanations, kExplained.size()) << "an explanation names no file/counter";
  fs::remove_all(tmp);
}

}  // namespace
