// The integrity commands: keygen, integrity baseline/verify/snapshot, backup check, and the
// transfer gate. Each prints what it did, and returns the exit code: 0 all holds, 1 something
// changed or falls short, 2 bad usage or input that cannot be trusted or read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qw::app {

/// `quaywatch keygen [-o PREFIX] [--force]`
int RunKeygen(const std::string& prefix, bool force);

/// Options of `quaywatch integrity baseline`.
struct BaselineOptions {
  std::string asset;
  std::vector<std::string> paths;
  std::string kind;        // empty: told from each file
  std::string secret_key;  // signs the manifest
  std::string output;      // the manifest to write
};
/// `quaywatch integrity baseline --asset NAME PATH... --key KEY -o MANIFEST`
int RunIntegrityBaseline(const BaselineOptions& options);

/// `quaywatch integrity verify MANIFEST --pubkey KEY [--json FILE] [--root FROM=TO]...`
int RunIntegrityVerify(const std::string& manifest, const std::string& public_key,
                       const std::string& json_out, const std::vector<std::string>& moved = {});

/// Options of `quaywatch integrity snapshot`.
struct SnapshotOptions {
  std::vector<std::string> urls;
  std::string output;         // one URL: the file to write
  std::string out_dir = ".";  // otherwise: the folder
  int timeout_ms = 1000;
  int retries = 2;
};
/// `quaywatch integrity snapshot modbus://HOST[:PORT]/UNIT?holding=A-B... [-o FILE]`
int RunIntegritySnapshot(const SnapshotOptions& options);

/// `quaywatch backup check CATALOG [--json FILE] [--now DATE]`
int RunBackupCheck(const std::string& catalog, const std::string& json_out, const std::string& now);

/// Options of `quaywatch transfer check`.
struct TransferCheckOptions {
  std::vector<std::string> files;
  std::string gate;           // the gate configuration (YAML)
  std::string destination;    // one of its destinations
  std::string operator_name;  // who asks; default $SUDO_USER, $USER
};
/// `quaywatch transfer check FILE... --gate GATE.yaml --destination NAME`
int RunTransferCheck(const TransferCheckOptions& options);

/// Options of `quaywatch transfer allow`.
struct TransferAllowOptions {
  std::vector<std::string> files;    // approved files, hashed now
  std::vector<std::string> digests;  // approved digests given as hex (vendor-published)
  std::string name;                  // what they are; default: each file's name
  std::string note;                  // why they are approved
  std::string secret_key;
  std::string output;  // the list; entries are added to it when it exists
};
/// `quaywatch transfer allow FILE... [--sha256 HEX]... --key KEY -o LIST`
int RunTransferAllow(const TransferAllowOptions& options);

/// Options of `quaywatch transfer audit verify`.
struct AuditVerifyOptions {
  std::string log;
  std::string head;          // a head hash recorded earlier; empty: none
  uint64_t head_seq = 0;     // the seq it belongs to; 0: the last entry
  uint64_t min_entries = 0;  // entries the log had at least
  std::string anchor;        // a signed anchor (transfer audit anchor); empty: none
  std::string public_key;    // the anchor's trusted key; empty: the default
};
/// `quaywatch transfer audit verify LOG [--head HASH [--head-seq N]] [--min-entries N]
/// [--anchor ANCHOR --pubkey KEY]`
int RunAuditVerify(const AuditVerifyOptions& options);

/// `quaywatch transfer audit anchor LOG --key KEY -o ANCHOR`: verifies the log and signs its
/// head and length, so that lines later deleted from its end, or a chain rebuilt by someone
/// without the key, are found.
int RunAuditAnchor(const std::string& log, const std::string& secret_key,
                   const std::string& output);

/// The public key given, else $QUAYWATCH_PUBKEY, else ./quaywatch.pub.
std::string TrustedKeyPath(const std::string& given);

}  // namespace qw::app
