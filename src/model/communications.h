// The communication map: who talked to whom over which service, and the acts the site
// policy judges (industrial writes, program changes and controller-state changes, remote
// access sessions, file transfers), each aggregated with a count, first and last time and
// the first frame that shows it. Bounded; the policy engine reads it after the run.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/address.h"
#include "core/anomalies.h"
#include "core/timestamp.h"
#include "dissect/observation.h"
#include "flow/flow.h"

namespace qw::model {

/// Where something was first seen, and when it was seen.
struct Sighting {
  uint64_t count = 0;
  core::Timestamp first_ts, last_ts;
  uint32_t capture_index = 0;
  uint64_t frame = 0;  // 1-based, the first that shows it

  /// Counts one more occurrence; the earliest evidence is kept whatever the order.
  void Add(core::Timestamp first, core::Timestamp last, uint32_t capture, uint64_t at,
           uint64_t n = 1);
  /// Adds another sighting of the same thing (a shard's).
  void Merge(const Sighting& o);
};

/// Who initiated a conversation with whom, over which service.
struct ConversationKey {
  core::IpAddr initiator, responder;
  core::MacAddr initiator_mac, responder_mac;
  uint8_t transport = 0;  // 6 TCP, 17 UDP, else the IP protocol
  uint16_t port = 0;      // the responder's port (0 without ports)
  std::string protocol;   // what a dissector recognised, or empty
  uint16_t vlan = 0;
  auto operator<=>(const ConversationKey&) const = default;
};

/// An industrial act the policy judges: a write, program change, firmware or
/// controller-state operation, by requester, device, protocol and function (and target,
/// for program and state changes, which are rare and each worth its own line).
struct OperationKey {
  core::IpAddr requester, device;
  core::MacAddr requester_mac, device_mac;
  uint8_t transport = 0;  // 6 TCP, 17 UDP; 0 for link-layer protocols
  uint16_t device_port = 0;
  uint16_t vlan = 0;
  std::string protocol, function, category, target;
  auto operator<=>(const OperationKey&) const = default;
};

/// A remote-access session or a file transfer, by client, server and tool or protocol.
struct SessionKey {
  std::string kind;  // "remote_access" or "file_transfer"
  core::IpAddr client, server;
  core::MacAddr client_mac, server_mac;
  uint8_t transport = 0;  // 6 TCP, 17 UDP
  uint16_t server_port = 0;
  std::string tool;       // remote-access tool, or file-transfer protocol
  std::string direction;  // file transfers: "upload" or "download"
  auto operator<=>(const SessionKey&) const = default;
};

/// A name a host asked for or connected by: a DNS query, a TLS server name (SNI), an HTTP
/// Host header. The watchlist and the data-sharing agreements are judged by these names.
struct NameKey {
  core::IpAddr client, server;  // the asker, and the resolver or server it asked
  core::MacAddr client_mac, server_mac;
  std::string via;   // "dns", "tls" or "http"
  std::string name;  // lower case, without a trailing dot or a port
  auto operator<=>(const NameKey&) const = default;
};

/// Orders name keys, and finds one by a key of views without building a NameKey (a
/// repeated query must not allocate).
struct NameKeyLess {
  using is_transparent = void;
  /// A key of views: the fields of NameKey, in its order.
  struct View {
    const core::IpAddr& client;
    const core::IpAddr& server;
    const core::MacAddr& client_mac;
    const core::MacAddr& server_mac;
    std::string_view via, name;
  };
  /// The views of a key's fields.
  static View Of(const NameKey& k) {
    return {k.client, k.server, k.client_mac, k.server_mac, k.via, k.name};
  }
  /// NameKey's order, field by field.
  static bool Less(const View& a, const View& b) {
    return std::tie(a.client, a.server, a.client_mac, a.server_mac, a.via, a.name) <
           std::tie(b.client, b.server, b.client_mac, b.server_mac, b.via, b.name);
  }
  /// Compares keys, or a key and a view, either way round.
  bool operator()(const NameKey& a, const NameKey& b) const { return Less(Of(a), Of(b)); }
  bool operator()(const NameKey& a, const View& b) const { return Less(Of(a), b); }
  bool operator()(const View& a, const NameKey& b) const { return Less(a, Of(b)); }
};

/// Hashes name keys, or a key of views the same way (a repeated query must not allocate).
struct NameKeyHash {
  using is_transparent = void;
  size_t operator()(const NameKeyLess::View& v) const;
  size_t operator()(const NameKey& k) const { return (*this)(NameKeyLess::Of(k)); }
};

/// Equality of name keys and key views, either way round.
struct NameKeyEqual {
  using is_transparent = void;
  /// Field by field.
  static bool Equal(const NameKeyLess::View& a, const NameKeyLess::View& b) {
    return a.name == b.name && a.client == b.client && a.server == b.server &&
           a.client_mac == b.client_mac && a.server_mac == b.server_mac && a.via == b.via;
  }
  bool operator()(const NameKey& a, const NameKey& b) const {
    return Equal(NameKeyLess::Of(a), NameKeyLess::Of(b));
  }
  bool operator()(const NameKey& a, const NameKeyLess::View& b) const {
    return Equal(NameKeyLess::Of(a), b);
  }
  bool operator()(const NameKeyLess::View& a, const NameKey& b) const {
    return Equal(a, NameKeyLess::Of(b));
  }
};

/// A name as the watchlist compares it: lower case, without a trailing dot; an HTTP Host's
/// port and an IPv6 literal's brackets removed. Empty when nothing is left.
std::string CanonicalName(std::string_view name);
/// CanonicalName into `out` (names of DNS and TLS are at most 255 octets; a longer one is
/// cut); the name's length.
size_t CanonicalNameInto(std::string_view name, std::span<char> out);

/// Bounds of the communication map.
struct CommunicationLimits {
  size_t max_conversations = 500'000;
  size_t max_operations = 100'000;
  size_t max_sessions = 100'000;
  size_t max_names = 200'000;
};

/// Aggregates conversations and judged acts; one per engine, merged across shards.
class Communications {
 public:
  /// Caps hit are raised into `anomalies` (`communications.table_full`).
  Communications(CommunicationLimits limits, core::Anomalies& anomalies)
      : limits_(limits), anomalies_(anomalies) {}
  // The name cache points into this object's own map.
  Communications(const Communications&) = delete;
  Communications& operator=(const Communications&) = delete;

  /// An ended flow: one more conversation of its key.
  void OnFlowEnd(const flow::Flow& f);
  /// An industrial operation: kept when it writes, changes a program or firmware, or changes
  /// a controller's state.
  void OnIcsOperation(const dissect::IcsOperation& op);
  void OnRemoteAccess(const dissect::RemoteAccessObservation& s);
  void OnFileTransfer(const dissect::FileTransferObservation& t);
  /// A name asked for or connected by (`via` is static text: "dns", "tls", "http").
  void OnName(const char* via, std::string_view name, const core::IpAddr& client,
              const core::MacAddr& client_mac, const core::IpAddr& server,
              const core::MacAddr& server_mac, core::Timestamp ts, uint32_t capture_index,
              uint64_t frame);
  /// Adds another map's contents (a shard's); order-independent.
  void Merge(const Communications& other);

  const std::map<ConversationKey, Sighting>& conversations() const { return conversations_; }
  const std::map<OperationKey, Sighting>& operations() const { return operations_; }
  const std::map<SessionKey, Sighting>& sessions() const { return sessions_; }
  /// One name sighting: its key and how often and where it was seen.
  using NameEntry = std::pair<const NameKey, Sighting>;
  /// The names, in NameKey order (they are held unordered while the capture is read).
  std::vector<const NameEntry*> names() const;

 private:
  // Adds a sighting to a map's entry for `key`, made when there is room (else the cap is
  // raised); the entry, or nullptr.
  template <class Map>
  typename Map::value_type* Note(Map& m, typename Map::key_type key, size_t cap, const Sighting& s);
  // Note for a key known to be absent: the entry made, or nullptr (the cap raised).
  template <class Map>
  typename Map::value_type* NoteNew(Map& m, typename Map::key_type key, size_t cap,
                                    const Sighting& s);
  // One remote-access session or file transfer (both name client, server, time and frame).
  template <class Observation>
  void NoteSession(const char* kind, const char* tool, const char* direction, const Observation& o);

  CommunicationLimits limits_;
  std::map<ConversationKey, Sighting> conversations_;
  std::map<OperationKey, Sighting> operations_;
  std::map<SessionKey, Sighting> sessions_;
  std::unordered_map<NameKey, Sighting, NameKeyHash, NameKeyEqual> names_;
  // The entries the last lookups found, by a hash of their key: a host asks for the same
  // names again and again. Map nodes never move, not even on a rehash, so the pointers stay
  // valid.
  std::array<NameEntry*, 4096> name_cache_{};
  // Writes found last, by their fields as the operation carries them (its names are static
  // text, so pointers compare): a poll loop writes the same registers again and again, and
  // building the string key and finding it in the map would cost more than the rest.
  struct WriteSlot {
    std::pair<const OperationKey, Sighting>* entry = nullptr;
    const char* protocol = nullptr;
    const char* function = nullptr;
    core::IpAddr requester, device;
    core::MacAddr requester_mac, device_mac;
    uint8_t transport = 0;
    uint16_t device_port = 0, vlan = 0;
  };
  std::array<WriteSlot, 256> write_cache_{};
  core::Anomalies& anomalies_;
};

}  // namespace qw::model
