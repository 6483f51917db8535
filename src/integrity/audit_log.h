// The transfer gate's audit log: one JSON object per line, appended and never rewritten,
// each line chained to the one before it by a SHA-256, so that an edited, deleted, inserted
// or reordered line is found by VerifyAuditLog.
//
// A line is the canonical JSON (nlohmann's dump: keys sorted, no spaces) of the caller's
// decision fields together with
//   seq   1 for the first line, one more on each next line
//   time  when it was appended, UTC ISO 8601 with microseconds
//   prev  the `hash` of the line before (kAuditGenesis for the first)
//   hash  SHA-256, in hex, of `prev` followed by the line's canonical JSON without `hash`
//
// What the chain proves and what it cannot: a change anywhere but at the end breaks it. Lines
// deleted from the end leave a shorter valid chain; they are found only against a head (the
// last `hash` and its `seq`) recorded somewhere else, which VerifyAuditLog checks when given
// one. And the chain has no key: whoever can write the file can rewrite it whole with a new
// chain, which again only a head recorded elsewhere (or signed) exposes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/digest.h"
#include "core/result.h"
#include "core/timestamp.h"

namespace qw::integrity {

/// The `prev` of the first line: 64 zeros.
inline constexpr std::string_view kAuditGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
/// Longest line appended or accepted, newline included: room for a decision listing every
/// member of an archive at the member bound.
inline constexpr size_t kMaxAuditLineBytes = size_t{4} << 20;

/// The line Append wrote.
struct AuditEntry {
  uint64_t seq = 0;
  std::string time;
  core::Sha256Hex hash;  // the new head of the log
};

/// Appends one line holding `fields` (a JSON object, without seq, time, prev or hash) to the
/// log at `path`, creating it if needed. Takes an exclusive flock for reading the last line
/// and writing the new one, so processes appending at once keep one chain. Refuses, naming
/// the file and line, to append to a log whose last line is cut short or does not verify, and
/// makes sure the line is on disk (fdatasync) before it returns.
core::Result<AuditEntry> AppendAuditEntry(const std::string& path, const nlohmann::json& fields);
/// The same at a given time (tests; replaying a decision made offline).
core::Result<AuditEntry> AppendAuditEntry(const std::string& path, const nlohmann::json& fields,
                                          core::Timestamp time);

/// What is wrong with a log.
enum class AuditProblem {
  kNone,
  kTruncated,      // the last line has no newline: cut short, or bytes appended by hand
  kLineTooLong,    // longer than kMaxAuditLineBytes
  kNotJson,        // not a JSON object
  kBadFields,      // seq, time, prev or hash missing or malformed
  kNotCanonical,   // valid JSON, but not as Append writes it: edited by hand
  kHashMismatch,   // its hash does not cover its content: edited
  kPrevMismatch,   // its prev is not the hash of the line before: deleted, inserted or reordered
  kSeqGap,         // its seq does not follow the line before's
  kTooFewEntries,  // fewer entries than expected: lines deleted from the end
  kHeadMismatch,   // the recorded head is not the hash of the entry it names
};
/// The problem's name: "none", "truncated", "line_too_long", "not_json", "bad_fields",
/// "not_canonical", "hash_mismatch", "prev_mismatch", "seq_gap", "too_few_entries",
/// "head_mismatch".
std::string_view AuditProblemName(AuditProblem problem);

/// What an operator recorded about the log earlier, to find lines deleted from its end.
struct AuditExpectations {
  uint64_t min_entries = 0;  // the log had at least this many entries
  std::string head;          // a `hash` recorded earlier; empty: not checked
  uint64_t head_seq = 0;     // the `seq` of the entry `head` belongs to; 0: the last entry
};

/// The verdict on a log.
struct AuditVerification {
  AuditProblem problem = AuditProblem::kNone;
  uint64_t entries = 0;   // entries that verified (all of them when ok, else those before)
  core::Sha256Hex head;   // hash of the last entry that verified; kAuditGenesis when none
  uint64_t bad_line = 0;  // 1-based line of the first problem; 0 when ok or for expectations
  std::string detail;     // one line for the operator, naming the file and line

  /// Whether the whole log verified.
  bool ok() const { return problem == AuditProblem::kNone; }
};

/// Recomputes every line of the log at `path` and checks the chain, then `expect`. Fails only
/// when the file cannot be read; a log that does not verify is a verdict, not a failure. An
/// empty file verifies with no entries.
core::Result<AuditVerification> VerifyAuditLog(const std::string& path,
                                               const AuditExpectations& expect = {});

}  // namespace qw::integrity
