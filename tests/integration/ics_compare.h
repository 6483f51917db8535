// The industrial-protocol comparison with tshark: each protocol registers a spec (in
// tests/integration/ics/<protocol>.cpp) saying which shared captures it runs on, which
// tshark fields it reads, how tshark's fields become counts in quaywatch's terms, which of
// our counters are compared, and every known difference with its reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace qw::ics_compare {

/// One frame as tshark dissected it: its protocol stack and the requested fields, each
/// with every occurrence in the frame.
struct TsharkFrame {
  uint64_t number = 0;
  std::string protocols;  // frame.protocols: "eth:ethertype:ip:tcp:mbtcp:modbus"
  std::map<std::string, std::vector<std::string>> fields;

  /// Every occurrence of `field` in the frame (empty when absent).
  const std::vector<std::string>& Values(const std::string& field) const;
  /// True when tshark's protocol stack for the frame names `proto`.
  bool HasProtocol(std::string_view proto) const;
};

/// Counters in quaywatch's terms: "pdus", "frames", "requests", "responses", "exceptions",
/// and "<histogram>:<code>" such as "functions:3".
using Counters = std::map<std::string, int64_t>;

/// A difference between quaywatch and tshark that is understood, and why.
struct Explained {
  std::string file;     // relative to shared/pcaps
  std::string counter;  // "pdus", "functions:3", ...
  int64_t delta;        // quaywatch minus tshark
  std::string reason;   // who is wrong and why (a tshark limitation, a capture artefact)
};

/// How one protocol is compared.
struct Spec {
  std::string protocol;              // the key under summary.json "protocols"
  std::vector<std::string> folders;  // shared/pcaps folders whose captures it runs on
  std::vector<std::string> fields;   // tshark fields it reads
  /// tshark's counts for one capture, in the keys of Counters.
  std::function<Counters(const std::vector<TsharkFrame>&)> expect;
  /// Our counter keys compared: exact keys ("pdus") or prefixes ending in ':' ("functions:").
  std::vector<std::string> compared;
  std::vector<Explained> explained;
  /// Extra tshark options for this protocol's captures ("-d tcp.port==...,proto").
  std::string tshark_options;
};

/// Every registered spec.
std::vector<Spec>& Specs();

/// Registers a spec from a static initializer.
struct Register {
  explicit Register(Spec spec) { Specs().push_back(std::move(spec)); }
};

/// Parses a number as tshark prints it (decimal, or hex with 0x).
int64_t Number(const std::string& text);

/// The shared captures: $QW_SHARED_DIR/pcaps, or ../shared/pcaps beside the source tree.
std::filesystem::path SharedPcaps();
/// Runs a shell command and returns its standard output; `ok` says whether it exited 0.
std::string RunCommand(const std::string& cmd, bool* ok);
/// `s` quoted for the shell.
std::string Quote(const std::string& s);
/// tshark's dissection of `file` with `fields` (every occurrence) under `options`.
std::vector<TsharkFrame> Tshark(const std::filesystem::path& file,
                                const std::vector<std::string>& fields, const std::string& options,
                                bool* ok);

}  // namespace qw::ics_compare
