// Live drive and controller settings: Modbus/TCP registers read with libmodbus into a text
// snapshot that baselines, verifies and diffs like any exported configuration.
//
// Read-only by construction: this module calls libmodbus's four read functions (function
// codes 1 to 4) and nothing else; no code path here can send a write.
//
// Target URL: modbus://HOST[:PORT]/UNIT?holding=A-B[,C-D]&input=A-B&coils=A-B&discrete=A-B
// with zero-based protocol addresses, inclusive ranges, at least one range.
//
// Snapshot text (no time in it, so that unchanged registers give an unchanged hash; the
// file's modification time says when it was taken):
//   # quaywatch modbus snapshot: read-only (function codes 1-4)
//   device modbus://10.20.1.31:502/1
//   holding 0 = 1500 (0x05dc)
//   coil 16 = 1
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace qw::integrity {

/// Most registers and bits one target may ask for in all.
inline constexpr size_t kMaxModbusItems = 4 * 65536;
/// Bounds on the timeout per request and on the retries after a failed one.
inline constexpr int kMaxModbusTimeoutMs = 60'000;
inline constexpr int kMaxModbusRetries = 5;

/// An inclusive range of zero-based addresses.
struct AddressRange {
  uint16_t first = 0, last = 0;
};

/// What to read from one device.
struct ModbusTarget {
  std::string url;  // as given
  std::string host;
  uint16_t port = 502;
  int unit = 1;  // 0 to 255
  std::vector<AddressRange> holding, input, coils, discrete;
};

/// Reads a target URL; the error names the URL and what is wrong with it.
core::Result<ModbusTarget> ParseModbusUrl(std::string_view url);

/// How patiently to read.
struct ModbusReadOptions {
  int timeout_ms = 1000;  // per request, and for connecting
  int retries = 2;        // after a failed request (reconnecting when the link dropped)
};

/// Connects, reads every range and renders the snapshot text. An unreachable device, a
/// device that does not answer in time, or one that answers an exception fails with a
/// message naming the URL and the range.
core::Result<std::string> TakeModbusSnapshot(const ModbusTarget& target,
                                             const ModbusReadOptions& options);

/// The file name a snapshot of `target` gets in a folder: "HOST-PORT-unitN.modbus".
std::string ModbusSnapshotName(const ModbusTarget& target);

}  // namespace qw::integrity
