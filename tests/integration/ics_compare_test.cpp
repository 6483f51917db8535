// Integration: the industrial-protocol counts of summary.json against tshark, run now on
// the same shared captures. Each protocol's spec (tests/integration/ics/*.cpp) says how
// tshark's fields map onto our counters; every counter must match exactly or carry an
// explanation that still holds.
#include "ics_compare.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tshark_cache.h"

namespace fs = std::filesystem;

namespace qw::ics_compare {

std::vector<Spec>& Specs() {
  static std::vector<Spec> specs;
  return specs;
}

const std::vector<std::string>& TsharkFrame::Values(const std::string& field) const {
  static const std::vector<std::string> kNone;
  auto it = fields.find(field);
  return it == fields.end() ? kNone : it->second;
}

bool TsharkFrame::HasProtocol(std::string_view proto) const {
  size_t start = 0;
  while (start <= protocols.size()) {
    size_t end = protocols.find(':', start);
    if (end == std::string::npos) end = protocols.size();
    if (std::string_view(protocols).substr(start, end - start) == proto) return true;
    start = end + 1;
  }
  return false;
}

int64_t Number(const std::string& text) {
  if (text.empty()) return 0;
  return std::stoll(text, nullptr, text.rfind("0x", 0) == 0 ? 16 : 10);
}

fs::path SharedPcaps() {
  if (const char* env = std::getenv("QW_SHARED_DIR")) return fs::path(env) / "pcaps";
  return fs::path(QW_SOURCE_DIR) / ".." / "shared" / "pcaps";
}

std::string RunCommand(const std::string& cmd, bool* ok) {
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
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

}  // namespace

std::vector<TsharkFrame> Tshark(const fs::path& file, const std::vector<std::string>& fields,
                                const std::string& options, bool* ok) {
  // tshark 4.0 takes a separator as one literal character (only /t and /s are escapes), so
  // the control characters themselves go on the command line.
  std::string cmd = "tshark -n -r " + Quote(file) + " " + options +
                    " -T fields -E occurrence=a -E aggregator='\x1f' -E separator='\x1e' "
                    "-e frame.number -e frame.protocols";
  for (const auto& f : fields) cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::string out = tshark_cache::Ask(cmd, file.string(), ok, RunCommand);
  std::vector<TsharkFrame> frames;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto cols = Split(line, '\x1e');
    cols.resize(fields.size() + 2);
    TsharkFrame f;
    f.number = static_cast<uint64_t>(Number(cols[0]));
    f.protocols = cols[1];
    for (size_t i = 0; i < fields.size(); ++i) {
      if (cols[i + 2].empty()) continue;
      f.fields[fields[i]] = Split(cols[i + 2], '\x1f');
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

namespace {

// Our counters for one protocol from summary.json.
Counters Ours(const nlohmann::json& summary, const std::string& protocol) {
  Counters c;
  if (!summary.contains("protocols") || !summary["protocols"].contains(protocol)) return c;
  for (auto& [key, value] : summary["protocols"][protocol].items()) {
    if (value.is_number()) {
      c[key] = value.get<int64_t>();
    } else if (value.is_object()) {
      for (auto& [code, n] : value.items()) c[key + ":" + code] = n.get<int64_t>();
    }
  }
  return c;
}

bool Compared(const Spec& spec, const std::string& key) {
  for (const auto& k : spec.compared) {
    if (k.back() == ':' ? key.rfind(k, 0) == 0 : key == k) return true;
  }
  return false;
}

// The captures of some shared folders, sorted.
std::vector<fs::path> CapturesIn(const std::vector<std::string>& folders) {
  std::vector<fs::path> files;
  for (const auto& folder : folders) {
    std::error_code ec;
    for (auto& e : fs::directory_iterator(SharedPcaps() / folder, ec)) {
      const auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// quaywatch's outputs and tshark's dissection of each capture, made once however many
// protocols and checks look at that capture: every spec reads the same summary, and one
// tshark run gives the fields of them all.
class CaptureCache {
 public:
  explicit CaptureCache(fs::path root) : root_(std::move(root)) {}
  ~CaptureCache() { fs::remove_all(root_); }

  /// Asks for `fields` (with tshark `options`) of `file` in the runs to come.
  void Want(const fs::path& file, const std::vector<std::string>& fields,
            const std::string& options) {
    auto& want = wanted_[{file, options}];
    want.insert(fields.begin(), fields.end());
  }
  /// The folder of quaywatch's outputs for `file`, analysing it the first time; empty and
  /// `log` set when quaywatch failed.
  fs::path Outputs(const fs::path& file, std::string* log) {
    auto it = outputs_.find(file);
    if (it != outputs_.end()) return it->second;
    fs::path out = root_ / std::to_string(outputs_.size());
    bool ok;
    *log = RunCommand(std::string(QW_BINARY) + " analyze " + Quote(file.string()) + " --out " +
                          Quote(out.string()) + " 2>&1",
                      &ok);
    if (!ok) return {};
    outputs_.emplace(file, out);
    return out;
  }
  /// tshark's frames of `file` with every field asked for under `options`; nullptr when
  /// tshark failed.
  const std::vector<TsharkFrame>* Frames(const fs::path& file, const std::string& options) {
    const auto key = std::make_pair(file, options);
    auto it = frames_.find(key);
    if (it != frames_.end()) return &it->second;
    const auto& want = wanted_[key];
    bool ok;
    auto frames = Tshark(file, std::vector<std::string>(want.begin(), want.end()), options, &ok);
    if (!ok) return nullptr;
    return &frames_.emplace(key, std::move(frames)).first->second;
  }

 private:
  fs::path root_;
  std::map<fs::path, fs::path> outputs_;
  std::map<std::pair<fs::path, std::string>, std::set<std::string>> wanted_;
  std::map<std::pair<fs::path, std::string>, std::vector<TsharkFrame>> frames_;
};

TEST(IcsCompare, EveryProtocolCountMatchesTshark) {
  if (!fs::exists(SharedPcaps())) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps()
                 << " not found; the industrial-protocol comparisons did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark not installed; the industrial-protocol comparisons did "
                    "not run";
  }
  CaptureCache cache(fs::temp_directory_path() / ("qw-ics-" + std::to_string(::getpid())));
  for (const auto& spec : Specs()) {
    for (const auto& file : CapturesIn(spec.folders)) {
      cache.Want(file, spec.fields, spec.tshark_options);
    }
  }
  std::set<std::pair<std::string, std::string>> used;  // (protocol, file|counter)
  size_t explanations = 0;
  for (const auto& spec : Specs()) {
    explanations += spec.explained.size();
    const std::vector<fs::path> files = CapturesIn(spec.folders);
    if (files.empty()) {
      // Fails, and goes on to the other protocols (scripts/more-captures.sh runs this over
      // captures that need not hold every protocol).
      ADD_FAILURE() << spec.protocol << ": no captures in its folders";
      continue;
    }
    for (const auto& file : files) {
      std::string rel = fs::relative(file, SharedPcaps()).string();
      SCOPED_TRACE(spec.protocol + " " + rel);
      std::string log;
      const fs::path out = cache.Outputs(file, &log);
      ASSERT_FALSE(out.empty()) << "quaywatch failed on " << rel << ": " << log;
      std::ifstream in(out / "summary.json");
      Counters ours = Ours(nlohmann::json::parse(in), spec.protocol);
      const auto* frames = cache.Frames(file, spec.tshark_options);
      ASSERT_TRUE(frames) << "tshark failed on " << rel;
      Counters theirs = spec.expect(*frames);
      std::set<std::string> keys;
      for (const auto& [k, v] : ours) {
        if (Compared(spec, k)) keys.insert(k);
      }
      for (const auto& [k, v] : theirs) {
        if (Compared(spec, k)) keys.insert(k);
      }
      for (const auto& k : keys) {
        int64_t delta = ours[k] - theirs[k];
        const Explained* why = nullptr;
        for (const auto& e : spec.explained) {
          if (e.file == rel && e.counter == k) why = &e;
        }
        if (why) {
          used.insert({spec.protocol, rel + "|" + k});
          EXPECT_EQ(delta, why->delta)
              << spec.protocol << " " << rel << " " << k << ": quaywatch " << ours[k] << ", tshark "
              << theirs[k] << "; the explained difference (" << why->reason << ") no longer holds";
        } else {
          EXPECT_EQ(delta, 0) << spec.protocol << " " << rel << " " << k << ": quaywatch "
                              << ours[k] << ", tshark " << theirs[k];
        }
      }
    }
  }
  EXPECT_EQ(used.size(), explanations) << "an explanation names no compared file and counter";
}

// Pairing, not only counting: every S7comm request (a job, or a userdata request) answered
// in the same TCP stream under its PDU reference, as tshark's fields show it, must be one
// operation of ours with both its frames. This is what the reassembler's handling of holes
// the peer acknowledged decides: in tia_s300_goOnline every request follows a segment the
// capture missed, and only skipping that hole when the PLC's answer acknowledges it pairs
// them.
TEST(IcsCompare, S7commRequestsPairWithTheirAnswersAsInTshark) {
  if (!fs::exists(SharedPcaps() / "s7comm")) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps() << " not found; the pairing check did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1 && sqlite3 --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark or sqlite3 not installed; the pairing check did not run";
  }
  // Our count minus tshark's, and why, where they differ.
  const std::map<std::string, std::pair<int64_t, std::string>> explained = {
      {"s7comm_clean.pcap",
       {12,
        "tshark skips 12 ack-data frames it calls spurious retransmissions of never-seen "
        "data; their requests are answered"}}};
  fs::path tmp = fs::temp_directory_path() / ("qw-pairs-" + std::to_string(::getpid()));
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(SharedPcaps() / "s7comm")) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  size_t used = 0;
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    SCOPED_TRACE(name);
    bool ok;
    std::string log = RunCommand(std::string(QW_BINARY) + " analyze " + Quote(file.string()) +
                                     " --out " + Quote(tmp.string()) + " 2>&1",
                                 &ok);
    ASSERT_TRUE(ok) << log;
    const std::string ours_text =
        RunCommand("sqlite3 " + Quote((tmp / "quaywatch.sqlite").string()) +
                       " \"SELECT count(*) FROM ics_operations WHERE protocol='s7comm' AND "
                       "request_frame IS NOT NULL AND response_frame IS NOT NULL AND "
                       "function != 'cotp-connect'\"",
                   &ok);
    ASSERT_TRUE(ok);
    const int64_t ours = Number(ours_text.substr(0, ours_text.find('\n')));
    auto frames = Tshark(file,
                         {"tcp.stream", "s7comm.header.rosctr", "s7comm.header.pduref",
                          "s7comm.param.userdata.type"},
                         "", &ok);
    ASSERT_TRUE(ok);
    std::set<std::pair<std::string, std::string>> waiting;  // (stream, PDU reference)
    int64_t theirs = 0;
    for (const auto& f : frames) {
      const auto& stream = f.Values("tcp.stream");
      const auto& rosctr = f.Values("s7comm.header.rosctr");
      const auto& refs = f.Values("s7comm.header.pduref");
      const auto& types = f.Values("s7comm.param.userdata.type");
      size_t userdata = 0;
      for (size_t i = 0; i < rosctr.size() && i < refs.size() && !stream.empty(); ++i) {
        const int64_t r = Number(rosctr[i]);
        int64_t type = -1;
        if (r == 7) type = userdata < types.size() ? Number(types[userdata++]) : -1;
        const std::pair<std::string, std::string> key{stream[0], refs[i]};
        if (r == 1 || (r == 7 && type == 4)) {
          waiting.insert(key);
        } else if ((r == 2 || r == 3 || (r == 7 && type == 8)) && waiting.erase(key)) {
          ++theirs;
        }
      }
    }
    auto why = explained.find(name);
    if (why != explained.end()) {
      ++used;
      EXPECT_EQ(ours - theirs, why->second.first)
          << "quaywatch " << ours << ", tshark " << theirs << "; the explained difference ("
          << why->second.second << ") no longer holds";
    } else {
      EXPECT_EQ(ours, theirs) << "paired requests: quaywatch " << ours << ", tshark " << theirs;
    }
  }
  EXPECT_EQ(used, explained.size()) << "an explanation names no capture";
  fs::remove_all(tmp);
}

// Every PLC block quaywatch rebuilt from an S7comm upload or download hashes as the data
// parts tshark shows for that transfer (s7comm.resp.data of the upload and download-block
// ack-data between the two ends, within the transfer's frames), and every such data part
// tshark shows belongs to a block of ours.
TEST(IcsCompare, S7commBlocksHashAsTsharkReassemblesThem) {
  if (!fs::exists(SharedPcaps() / "s7comm")) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps() << " not found; the block check did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1 && sqlite3 --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark or sqlite3 not installed; the block check did not run";
  }
  fs::path tmp = fs::temp_directory_path() / ("qw-blocks-" + std::to_string(::getpid()));
  std::vector<fs::path> files;
  for (const char* folder : {"s7comm", "mixed_ics"}) {
    for (auto& e : fs::directory_iterator(SharedPcaps() / folder)) {
      const auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".pcap" || ext == ".pcapng")) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  size_t blocks_checked = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    bool ok;
    std::string log = RunCommand(std::string(QW_BINARY) + " analyze " + Quote(file.string()) +
                                     " --no-report --out " + Quote(tmp.string()) + " 2>&1",
                                 &ok);
    ASSERT_TRUE(ok) << log;
    const std::string rows = RunCommand(
        "sqlite3 -separator ' ' " + Quote((tmp / "quaywatch.sqlite").string()) +
            " \"SELECT direction, plc_port, peer_port, first_frame, last_frame, sha256, size, "
            "complete FROM plc_blocks ORDER BY id\"",
        &ok);
    ASSERT_TRUE(ok);
    auto frames = Tshark(file,
                         {"tcp.srcport", "tcp.dstport", "s7comm.header.rosctr", "s7comm.param.func",
                          "s7comm.resp.data"},
                         "", &ok);
    ASSERT_TRUE(ok);
    // tshark's data parts of upload (0x1e) and download-block (0x1b) ack-data, by frame.
    struct Piece {
      uint64_t frame;
      std::string src, dst, hex;
      bool used = false;
    };
    std::vector<Piece> pieces;
    for (const auto& f : frames) {
      const auto& rosctr = f.Values("s7comm.header.rosctr");
      const auto& func = f.Values("s7comm.param.func");
      const auto& data = f.Values("s7comm.resp.data");
      if (rosctr.empty() || func.empty() || data.empty() || Number(rosctr[0]) != 3) continue;
      int64_t fn = Number(func[0]);
      if (fn != 0x1e && fn != 0x1b) continue;
      std::string hex;
      for (char c : data[0]) {
        if (c != ':') hex += c;
      }
      pieces.push_back(
          {f.number, f.Values("tcp.srcport").at(0), f.Values("tcp.dstport").at(0), hex});
    }
    std::istringstream in(rows);
    std::string direction, plc_port, peer_port, sha, size;
    uint64_t first = 0, last = 0;
    int complete = 0;
    while (in >> direction >> plc_port >> peer_port >> first >> last >> sha >> size >> complete) {
      // Uploads come from the PLC; download pieces from the engineering station.
      const std::string& from = direction == "upload" ? plc_port : peer_port;
      const std::string& to = direction == "upload" ? peer_port : plc_port;
      std::string hex;
      for (auto& p : pieces) {
        if (p.frame >= first && p.frame <= last && p.src == from && p.dst == to) {
          hex += p.hex;
          p.used = true;
        }
      }
      fs::path bytes = tmp / "block.bin";
      {
        std::ofstream out(bytes, std::ios::binary);
        for (size_t i = 0; i + 1 < hex.size(); i += 2) {
          out.put(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        }
      }
      std::string theirs = RunCommand("sha256sum " + Quote(bytes.string()), &ok);
      ASSERT_TRUE(ok);
      EXPECT_EQ(theirs.substr(0, 64), sha) << direction << " frames " << first << "-" << last;
      EXPECT_EQ(std::to_string(hex.size() / 2), size);
      ++blocks_checked;
    }
    for (const auto& p : pieces) {
      EXPECT_TRUE(p.used) << "tshark's block data in frame " << p.frame
                          << " is in no block of ours";
    }
  }
  // The shared captures hold a download (DB1) and four uploads (SDB0) at least.
  EXPECT_GE(blocks_checked, 5u);
  fs::remove_all(tmp);
}

// What the names protocols said, frame by frame: tshark's field against a query of ours
// over quaywatch.sqlite, each giving "frame value" lines, compared as sorted lists.
struct NameCheck {
  const char* what;
  std::vector<std::string> folders;
  std::string tshark_field;
  std::string tshark_filter;  // a display filter for the frames whose field counts
  std::string sql;            // SELECT frame || ' ' || value ...
  // tshark follows a NetBIOS record's name with what its suffix means ("KW-VLIPC<00>
  // (Workstation/Redirector)"); the name is what both show.
  bool strip_description = false;
  // Compare the values only, not the frames they were in.
  bool values_only = false;
  // The frames whose field counts, beyond tshark_filter (all when empty).
  std::function<bool(const TsharkFrame&)> keep = nullptr;
  // Extra tshark options ("-d tcp.port==3389,tls").
  std::string tshark_options = "";
};

// A frame of tshark's that carries `field` with one of `values`.
std::function<bool(const TsharkFrame&)> FieldIn(std::string field, std::set<std::string> values) {
  return [field = std::move(field), values = std::move(values)](const TsharkFrame& f) {
    for (const auto& v : f.Values(field)) {
      if (values.count(v)) return true;
    }
    return false;
  };
}

TEST(IcsCompare, NamesMatchTsharkFrameByFrame) {
  if (!fs::exists(SharedPcaps())) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps() << " not found; the name checks did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1 && sqlite3 --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark or sqlite3 not installed; the name checks did not run";
  }
  const std::vector<NameCheck> checks = {
      {"DNS question names",
       {"dns", "mixed_it", "modbus"},
       "dns.qry.name",
       "dns",
       "SELECT frame || ' ' || CASE qname WHEN '.' THEN '<Root>' ELSE qname END FROM "
       "dns_messages WHERE protocol = 'dns' AND qname IS NOT NULL"},
      {"DNS A records (every section)",
       {"dns", "mixed_it", "modbus"},
       "dns.a",
       "dns",
       "SELECT m.frame || ' ' || r.data FROM dns_records r JOIN dns_messages m ON m.id = "
       "r.message_id WHERE m.protocol = 'dns' AND r.type = 1"},
      {"DNS AAAA records (every section)",
       {"dns", "mixed_it"},
       "dns.aaaa",
       "dns",
       "SELECT m.frame || ' ' || r.data FROM dns_records r JOIN dns_messages m ON m.id = "
       "r.message_id WHERE m.protocol = 'dns' AND r.type = 28"},
      {"NetBIOS names",
       {"mixed_it", "profinet"},
       "nbns.name",
       "nbns",
       "SELECT m.frame || ' ' || m.qname FROM dns_messages m WHERE m.protocol = 'nbns' "
       "AND m.qname IS NOT NULL UNION ALL SELECT m.frame || ' ' || r.name FROM dns_records r "
       "JOIN dns_messages m ON m.id = r.message_id WHERE m.protocol = 'nbns'",
       true},
      {"DHCP host names",
       {"dhcp", "mixed_ics", "modbus", "profinet"},
       "dhcp.option.hostname",
       "dhcp",
       "SELECT frame || ' ' || host_name FROM dhcp_messages WHERE host_name IS NOT NULL"},
      {"TLS server names",
       {"tls", "modbus"},
       "tls.handshake.extensions_server_name",
       "tls",
       "SELECT client_hello_frame || ' ' || sni FROM tls_sessions WHERE sni IS NOT NULL"},
      {"JA3",
       {"tls", "modbus"},
       "tls.handshake.ja3",
       "tls",
       "SELECT client_hello_frame || ' ' || ja3 FROM tls_sessions WHERE ja3 IS NOT NULL"},
      {"JA3S",
       {"tls", "modbus"},
       "tls.handshake.ja3s",
       "tls",
       "SELECT server_hello_frame || ' ' || ja3s FROM tls_sessions WHERE ja3s IS NOT NULL"},
      // quaywatch keeps one row per SSH connection, not the KEXINIT frames: values only.
      {"HASSH",
       {"ssh"},
       "ssh.kex.hassh",
       "ssh",
       "SELECT client_fingerprint FROM remote_access_sessions WHERE tool = 'ssh'",
       false,
       true},
      {"HASSHServer",
       {"ssh"},
       "ssh.kex.hasshserver",
       "ssh",
       "SELECT server_fingerprint FROM remote_access_sessions WHERE tool = 'ssh'",
       false,
       true},
      // Every request's Host, on the frame that completed the request's head (every request
      // of these captures fits one segment, where tshark puts it too).
      {"HTTP hosts",
       {"http", "mixed_it", "modbus", "vlan"},
       "http.host",
       "http",
       "SELECT request_frame || ' ' || host FROM http_exchanges WHERE protocol = 'http' AND "
       "host IS NOT NULL AND request_frame IS NOT NULL"},
      // The file a RETR or STOR names is the transfer's file name, on the command's frame.
      {"FTP file names",
       {"ftp"},
       "ftp.request.arg",
       "ftp",
       "SELECT frame || ' ' || file_name FROM file_transfers WHERE protocol = 'ftp'",
       false,
       false,
       FieldIn("ftp.request.command", {"RETR", "STOR", "STOU", "APPE"})},
      {"TFTP read requests",
       {"tftp"},
       "tftp.source_file",
       "tftp",
       "SELECT frame || ' ' || file_name FROM file_transfers WHERE command = 'RRQ'",
       false,
       false,
       FieldIn("tftp.opcode", {"1"})},
      {"TFTP write requests",
       {"tftp"},
       "tftp.destination_file",
       "tftp",
       "SELECT frame || ' ' || file_name FROM file_transfers WHERE command = 'WRQ'",
       false,
       false,
       FieldIn("tftp.opcode", {"2"})},
      // An RDP session starts at its Connection Request, the frame tshark shows the cookie in;
      // tshark shows the whole "Cookie: mstshash=USER" line, quaywatch the user.
      {"RDP cookies",
       {"rdp"},
       "rdp.rt_cookie",
       "rdp",
       "SELECT frame || ' Cookie: mstshash=' || user FROM remote_access_sessions WHERE tool = "
       "'rdp' AND user != ''"},
      // The client core data travels in a later frame than the session's first: values only.
      // tshark names those frames T.124 (GCC), not RDP.
      {"RDP client builds",
       {"rdp"},
       "rdp.client.build",
       "t124",
       "SELECT CAST(substr(client_software, 18) AS INTEGER) FROM remote_access_sessions WHERE "
       "tool = 'rdp' AND client_software LIKE 'RDP client build %'",
       false,
       true},
      {"RDP client names",
       {"rdp"},
       "rdp.client.name",
       "t124",
       "SELECT substr(client_software, instr(client_software, ', name ') + 7) FROM "
       "remote_access_sessions WHERE tool = 'rdp' AND instr(client_software, ', name ') > 0",
       false,
       true},
      // The TLS handshake RDP's security protocols open with (tshark reads it when port 3389
      // is decoded as TLS): fingerprints frame by frame, and the common names of the server
      // certificate (self-signed: subject and issuer both name the Windows host), the subject
      // as the session's server software.
      {"JA3 of RDP's TLS",
       {"rdp"},
       "tls.handshake.ja3",
       "tls",
       "SELECT client_hello_frame || ' ' || ja3 FROM tls_sessions WHERE ja3 IS NOT NULL",
       false,
       false,
       nullptr,
       "-d tcp.port==3389,tls"},
      {"JA3S of RDP's TLS",
       {"rdp"},
       "tls.handshake.ja3s",
       "tls",
       "SELECT server_hello_frame || ' ' || ja3s FROM tls_sessions WHERE ja3s IS NOT NULL",
       false,
       false,
       nullptr,
       "-d tcp.port==3389,tls"},
      {"RDP servers' certificate names",
       {"rdp"},
       "x509sat.printableString",
       "tls",
       "SELECT substr(server_software, 4) FROM remote_access_sessions WHERE tool = 'rdp' AND "
       "server_software LIKE 'CN=%' UNION ALL SELECT substr(cert_issuer, 4) FROM tls_sessions "
       "WHERE cert_issuer LIKE 'CN=%'",
       false,
       true,
       nullptr,
       "-d tcp.port==3389,tls"},
      // The server's line opens the session: frame by frame; the client's answer is later.
      {"VNC server versions",
       {"vnc"},
       "vnc.server_proto_ver",
       "vnc",
       "SELECT frame || ' ' || substr(server_software, 5, 7) FROM remote_access_sessions WHERE "
       "tool = 'vnc' AND server_software LIKE 'RFB %'"},
      {"VNC client versions",
       {"vnc"},
       "vnc.client_proto_ver",
       "vnc",
       "SELECT substr(client_software, 5, 7) FROM remote_access_sessions WHERE tool = 'vnc' AND "
       "client_software LIKE 'RFB %'",
       false,
       true},
  };
  CaptureCache cache(fs::temp_directory_path() / ("qw-names-" + std::to_string(::getpid())));
  for (const auto& check : checks) {
    for (const auto& file : CapturesIn(check.folders)) {
      std::vector<std::string> fields = {check.tshark_field};
      for (const char* extra : {"ftp.request.command", "tftp.opcode"}) fields.push_back(extra);
      cache.Want(file, fields, check.tshark_options);
    }
  }
  size_t compared = 0;
  for (const auto& check : checks) {
    for (const auto& file : CapturesIn(check.folders)) {
      SCOPED_TRACE(std::string(check.what) + " " + fs::relative(file, SharedPcaps()).string());
      std::string log;
      const fs::path out = cache.Outputs(file, &log);
      ASSERT_FALSE(out.empty()) << log;
      bool ok;
      std::string ours_text = RunCommand(
          "sqlite3 " + Quote((out / "quaywatch.sqlite").string()) + " " + Quote(check.sql), &ok);
      ASSERT_TRUE(ok);
      std::vector<std::string> ours;
      for (auto& line : Split(ours_text, '\n')) {
        if (!line.empty()) ours.push_back(line);
      }
      const auto* frames = cache.Frames(file, check.tshark_options);
      ASSERT_TRUE(frames);
      std::vector<std::string> theirs;
      for (const auto& f : *frames) {
        // Only the protocol's own frames: a name quoted inside an ICMP error is not traffic.
        if (!f.HasProtocol(check.tshark_filter) || f.HasProtocol("icmp")) continue;
        if (check.keep && !check.keep(f)) continue;
        for (std::string v : f.Values(check.tshark_field)) {
          const size_t open = v.rfind(" (");
          if (check.strip_description && open != std::string::npos && v.back() == ')') {
            v.resize(open);
          }
          theirs.push_back(check.values_only ? v : std::to_string(f.number) + " " + v);
        }
      }
      std::sort(ours.begin(), ours.end());
      std::sort(theirs.begin(), theirs.end());
      EXPECT_EQ(ours, theirs);
      compared += theirs.size();
    }
  }
  EXPECT_GT(compared, 1000u) << "the shared captures hold thousands of names";
}

// The application instance certificates secured OPC UA channels send in clear: tshark
// shows each OpenSecureChannel's sender certificate as octets (opcua.security.scert), openssl
// reads their subjects, and every subject quaywatch gives an asset ("certificate") must be
// one of them, and there must be one wherever tshark shows a certificate.
TEST(IcsCompare, OpcuaCertificatesReadAsOpensslReadsThem) {
  if (!fs::exists(SharedPcaps() / "opcua")) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps() << " not found; the certificate check did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1 && openssl version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark or openssl not installed; the certificate check did not run";
  }
  const fs::path tmp = fs::temp_directory_path() / ("qw-certs-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  size_t certificates = 0;
  for (const auto& file : CapturesIn({"opcua"})) {
    const std::string rel = fs::relative(file, SharedPcaps()).string();
    SCOPED_TRACE(rel);
    bool ok;
    const auto frames = Tshark(file, {"opcua.security.scert"}, "", &ok);
    ASSERT_TRUE(ok);
    std::set<std::string> theirs;
    for (const auto& f : frames) {
      for (const auto& hex : f.Values("opcua.security.scert")) {
        if (hex.size() < 2 || !std::isxdigit(static_cast<unsigned char>(hex[0]))) continue;
        const fs::path der = tmp / "cert.der";
        {
          std::ofstream out(der, std::ios::binary);
          for (size_t i = 0; i + 1 < hex.size(); i += 2) {
            out.put(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
          }
        }
        // "subject=/C=DE/O=open62541/CN=..." becomes "C=DE, O=open62541, CN=...".
        std::string line = RunCommand(
            "openssl x509 -inform DER -noout -subject -nameopt compat -in " + Quote(der.string()),
            &ok);
        ASSERT_TRUE(ok) << "openssl could not read frame " << f.number << "'s certificate";
        line = line.substr(0, line.find('\n'));
        ASSERT_EQ(line.rfind("subject=/", 0), 0u) << line;
        std::string subject;
        for (const auto& part : Split(line.substr(9), '/')) {
          subject += (subject.empty() ? "" : ", ") + part;
        }
        theirs.insert(subject);
        ++certificates;
      }
    }
    const fs::path out = tmp / "out";
    std::string log = RunCommand(std::string(QW_BINARY) + " analyze " + Quote(file.string()) +
                                     " --no-report --out " + Quote(out.string()) + " 2>&1",
                                 &ok);
    ASSERT_TRUE(ok) << log;
    std::ifstream in(out / "assets.json");
    const auto assets = nlohmann::json::parse(in);
    std::set<std::string> ours;
    for (const auto& a : assets) {
      if (a.contains("identity") && a["identity"].contains("certificate")) {
        ours.insert(a["identity"]["certificate"].get<std::string>());
      }
    }
    for (const auto& subject : ours) EXPECT_TRUE(theirs.count(subject)) << subject;
    EXPECT_EQ(ours.empty(), theirs.empty());
  }
  EXPECT_GE(certificates, 2u) << "the encrypted open62541 capture holds two certificates";
  fs::remove_all(tmp);
}

// The files that crossed the wire: the SHA-256 of every object tshark exports
// (--export-objects) against the hashes quaywatch gives its complete transfers, per
// capture, as sorted lists of distinct contents. Differences must be explained.
TEST(IcsCompare, TransferredFilesHashAsTsharkExportsThem) {
  if (!fs::exists(SharedPcaps())) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps() << " not found; the file checks did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1 && sqlite3 --version >/dev/null 2>&1 && "
                  "sha256sum --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark, sqlite3 or sha256sum missing; the file checks did not run";
  }
  struct FileCheck {
    std::string folder;
    std::string tshark_object;  // --export-objects protocol
    std::string protocol;       // file_transfers.protocol
  };
  const std::vector<FileCheck> checks = {
      {"ftp", "ftp-data", "ftp"},
      {"tftp", "tftp", "tftp"},
      {"smb", "smb", "smb2"},
  };
  // file -> (quaywatch minus tshark, reason)
  const std::map<std::string, std::pair<int64_t, std::string>> explained = {
      {"ftp/ftp_retr.pcap",
       {1,
        "tshark 4.0 dissects the 12 ftp-data frames of the EPSV data connection but exports "
        "no object from them; quaywatch's hash of /README equals the SHA-256 of the stream "
        "`tshark -z follow,tcp,raw` prints for that connection"}},
  };
  const fs::path tmp = fs::temp_directory_path() / ("qw-files-" + std::to_string(::getpid()));
  CaptureCache cache(tmp / "runs");
  size_t compared = 0, used = 0;
  for (const auto& check : checks) {
    for (const auto& file : CapturesIn({check.folder})) {
      const std::string rel = fs::relative(file, SharedPcaps()).string();
      SCOPED_TRACE(rel);
      std::string log;
      const fs::path out = cache.Outputs(file, &log);
      ASSERT_FALSE(out.empty()) << log;
      bool ok;
      std::vector<std::string> ours;
      for (auto& line :
           Split(RunCommand("sqlite3 " + Quote((out / "quaywatch.sqlite").string()) + " " +
                                Quote("SELECT sha256 FROM file_transfers WHERE protocol = '" +
                                      check.protocol + "' AND sha256 IS NOT NULL"),
                            &ok),
                 '\n')) {
        if (!line.empty()) ours.push_back(line);
      }
      ASSERT_TRUE(ok);
      const fs::path objects = tmp / "objects" / rel;
      fs::create_directories(objects);
      RunCommand("tshark -n -r " + Quote(file.string()) + " -q --export-objects " +
                     check.tshark_object + "," + Quote(objects.string()) + " 2>/dev/null",
                 &ok);
      ASSERT_TRUE(ok);
      std::vector<std::string> theirs;
      for (const auto& entry : fs::directory_iterator(objects)) {
        std::string line =
            RunCommand("sha256sum " + Quote(entry.path().string()) + " 2>/dev/null", &ok);
        ASSERT_TRUE(ok);
        theirs.push_back(line.substr(0, 64));
      }
      // tshark writes objects under their file names, so a file fetched twice is one object
      // of its: distinct contents are compared.
      std::sort(ours.begin(), ours.end());
      ours.erase(std::unique(ours.begin(), ours.end()), ours.end());
      std::sort(theirs.begin(), theirs.end());
      theirs.erase(std::unique(theirs.begin(), theirs.end()), theirs.end());
      compared += theirs.size();
      auto why = explained.find(rel);
      if (why != explained.end()) {
        ++used;
        EXPECT_EQ(static_cast<int64_t>(ours.size()) - static_cast<int64_t>(theirs.size()),
                  why->second.first)
            << "the explained difference (" << why->second.second << ") no longer holds";
        for (const auto& h : theirs) {
          EXPECT_TRUE(std::binary_search(ours.begin(), ours.end(), h)) << "tshark's " << h;
        }
      } else {
        EXPECT_EQ(ours, theirs);
      }
    }
  }
  EXPECT_EQ(used, explained.size()) << "an explanation names no capture";
  EXPECT_GE(compared, 5u) << "the shared captures hold files";
  fs::remove_all(tmp);
}

// SMB2 files read or written, against tshark: every file a READ or WRITE request of tshark's
// names by FileId (the first member of a frame) is traced through the CREATE response that
// returned that FileId (smb2.response_to) to the CREATE request and its smb2.filename; each
// gives "request-frame name command", as quaywatch's file_transfers rows do. A FileId whose
// CREATE the capture missed gives an empty name and the frame of the first READ or WRITE.
TEST(IcsCompare, Smb2FileNamesMatchTshark) {
  if (!fs::exists(SharedPcaps() / "smb")) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps() << " not found; the SMB2 check did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1 && sqlite3 --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark or sqlite3 not installed; the SMB2 check did not run";
  }
  const std::vector<std::string> fields = {"smb2.cmd", "smb2.flags.response", "smb2.fid",
                                           "smb2.filename", "smb2.response_to"};
  CaptureCache cache(fs::temp_directory_path() / ("qw-smb2-" + std::to_string(::getpid())));
  const auto files = CapturesIn({"smb"});
  for (const auto& file : files) cache.Want(file, fields, "");
  size_t compared = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(fs::relative(file, SharedPcaps()).string());
    std::string log;
    const fs::path out = cache.Outputs(file, &log);
    ASSERT_FALSE(out.empty()) << log;
    const auto* frames = cache.Frames(file, "");
    ASSERT_TRUE(frames);
    std::map<uint64_t, std::string> create_names;                  // request frame -> name
    std::map<std::string, uint64_t> opened_by;                     // FileId -> create request frame
    std::map<std::pair<std::string, std::string>, uint64_t> used;  // (FileId, command) -> frame
    for (const auto& f : *frames) {
      const auto& cmd = f.Values("smb2.cmd");
      const auto& resp = f.Values("smb2.flags.response");
      const auto& fid = f.Values("smb2.fid");
      if (cmd.empty() || resp.empty()) continue;
      const bool response = resp[0] == "1";
      if (cmd[0] == "5" && !response) {
        const auto& names = f.Values("smb2.filename");
        create_names[f.number] = names.empty() ? "" : names[0];
      } else if (cmd[0] == "5" && response && !fid.empty()) {
        const auto& to = f.Values("smb2.response_to");
        if (!to.empty()) opened_by[fid[0]] = static_cast<uint64_t>(Number(to[0]));
      } else if ((cmd[0] == "8" || cmd[0] == "9") && !response && !fid.empty()) {
        used.emplace(std::make_pair(fid[0], cmd[0]), f.number);
      }
    }
    std::vector<std::string> theirs;
    for (const auto& [key, frame] : used) {
      auto open = opened_by.find(key.first);
      const uint64_t at = open == opened_by.end() ? frame : open->second;
      const std::string name = open == opened_by.end() ? "" : create_names[open->second];
      theirs.push_back(std::to_string(at) + " " + name + " " +
                       (key.second == "8" ? "read" : "write"));
    }
    bool ok;
    std::string ours_text =
        RunCommand("sqlite3 " + Quote((out / "quaywatch.sqlite").string()) + " " +
                       Quote("SELECT frame || ' ' || coalesce(file_name, '') || ' ' || command "
                             "FROM file_transfers WHERE protocol = 'smb2'"),
                   &ok);
    ASSERT_TRUE(ok);
    std::vector<std::string> ours;
    for (auto& line : Split(ours_text, '\n')) {
      if (!line.empty()) ours.push_back(line);
    }
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(ours, theirs);
    compared += theirs.size();
  }
  EXPECT_GE(compared, 3u) << "smb1.pcap reads one file, smb2readwrite.pcap reads one, writes one";
}

// HTTP downloads, frame by frame: every 2xx answer to a request other than HEAD whose body
// is a file by the rule of src/dissect/http/http_dissector.h (restated here, not taken from
// the code it checks) and not declared empty, as tshark shows it (the request's frame, its
// Host, the answer's Content-Length), against the downloads in file_transfers. Every
// exchange's Host is compared once the exchanges are stored (see the HTTP spec).
TEST(IcsCompare, HttpDownloadsMatchTsharkFrameByFrame) {
  if (!fs::exists(SharedPcaps() / "http")) {
    GTEST_SKIP() << "SKIPPED: " << SharedPcaps() << " not found; the HTTP checks did not run";
  }
  if (std::system("tshark --version >/dev/null 2>&1 && sqlite3 --version >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "SKIPPED: tshark or sqlite3 not installed; the HTTP checks did not run";
  }
  auto is_file = [](std::string type) {
    type = type.substr(0, type.find(';'));
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static const std::set<std::string> kPages = {"text/html",
                                                 "application/xhtml+xml",
                                                 "text/css",
                                                 "text/javascript",
                                                 "application/javascript",
                                                 "application/x-javascript",
                                                 "text/xml",
                                                 "application/xml",
                                                 "application/json",
                                                 "text/json",
                                                 "text/event-stream",
                                                 "application/x-www-form-urlencoded",
                                                 "application/ecmascript"};
    auto ends = [&](const std::string& suffix) {
      return type.size() > suffix.size() &&
             type.compare(type.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return !kPages.count(type) && type.rfind("image/", 0) != 0 && type.rfind("font/", 0) != 0 &&
           !ends("+xml") && !ends("+json");
  };
  const std::vector<std::string> fields = {"http.request.method", "http.host",
                                           "http.request_in",     "http.response.code",
                                           "http.content_type",   "http.content_length_header"};
  CaptureCache cache(fs::temp_directory_path() / ("qw-http-" + std::to_string(::getpid())));
  const auto files = CapturesIn({"http", "mixed_it", "vlan"});
  for (const auto& file : files) cache.Want(file, fields, "");
  size_t compared = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(fs::relative(file, SharedPcaps()).string());
    std::string log;
    const fs::path out = cache.Outputs(file, &log);
    ASSERT_FALSE(out.empty()) << log;
    bool ok;
    const std::string ours_text = RunCommand(
        "sqlite3 " + Quote((out / "quaywatch.sqlite").string()) +
            " \"SELECT frame || ' ' || coalesce(location, '') || ' ' || "
            "coalesce(declared_size, -1) FROM file_transfers WHERE protocol = 'http' AND "
            "direction = 'download'\"",
        &ok);
    ASSERT_TRUE(ok);
    std::vector<std::string> ours;
    for (auto& line : Split(ours_text, '\n')) {
      if (!line.empty()) ours.push_back(line);
    }
    const auto* frames = cache.Frames(file, "");
    ASSERT_TRUE(frames);
    std::map<uint64_t, std::pair<std::string, std::string>> requests;  // frame: method, host
    for (const auto& f : *frames) {
      const auto& methods = f.Values("http.request.method");
      const auto& hosts = f.Values("http.host");
      if (!methods.empty()) requests[f.number] = {methods[0], hosts.empty() ? "" : hosts[0]};
    }
    std::vector<std::string> theirs;
    for (const auto& f : *frames) {
      const auto& codes = f.Values("http.response.code");
      const auto& request_in = f.Values("http.request_in");
      // One answer per frame in these captures; a frame of several would need pairing.
      ASSERT_LE(codes.size(), 1u) << "frame " << f.number;
      if (codes.empty() || request_in.empty()) continue;
      const int64_t code = Number(codes[0]);
      const auto req = requests.find(static_cast<uint64_t>(Number(request_in[0])));
      if (code < 200 || code > 299 || req == requests.end() || req->second.first == "HEAD")
        continue;
      const auto& types = f.Values("http.content_type");
      const auto& lengths = f.Values("http.content_length_header");
      if (!is_file(types.empty() ? "" : types[0])) continue;
      if (!lengths.empty() && lengths[0] == "0") continue;
      theirs.push_back(request_in[0] + " " + req->second.second + " " +
                       (lengths.empty() ? std::string("-1") : lengths[0]));
    }
    std::sort(ours.begin(), ours.end());
    std::sort(theirs.begin(), theirs.end());
    EXPECT_EQ(ours, theirs);
    compared += theirs.size();
  }
  EXPECT_GE(compared, 3u) << "http_get.pcap and two VLAN captures download a text file";
}

}  // namespace
}  // namespace qw::ics_compare
