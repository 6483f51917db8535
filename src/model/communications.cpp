#include "model/communications.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/ascii.h"

namespace qw::model {

void Sighting::Add(core::Timestamp first, core::Timestamp last, uint32_t capture, uint64_t at,
                   uint64_t n) {
  if (count == 0 || first < first_ts) first_ts = first;
  if (count == 0 || last > last_ts) last_ts = last;
  if (count == 0 || std::tie(capture, at) < std::tie(capture_index, frame)) {
    capture_index = capture;
    frame = at;
  }
  count += n;
}

void Sighting::Merge(const Sighting& o) {
  if (o.count == 0) return;
  Add(o.first_ts, o.last_ts, o.capture_index, o.frame, o.count);
}

template <class Map>
typename Map::value_type* Communications::Note(Map& m, typename Map::key_type key, size_t cap,
                                               const Sighting& s) {
  auto it = m.find(key);
  if (it == m.end()) return NoteNew(m, std::move(key), cap, s);
  it->second.Merge(s);
  return &*it;
}

template <class Map>
typename Map::value_type* Communications::NoteNew(Map& m, typename Map::key_type key, size_t cap,
                                                  const Sighting& s) {
  if (m.size() >= cap) {
    anomalies_.Raise("communications.table_full");
    return nullptr;
  }
  auto it = m.emplace(std::move(key), Sighting{}).first;
  it->second.Merge(s);
  return &*it;
}

void Communications::OnFlowEnd(const flow::Flow& f) {
  ConversationKey k;
  k.initiator = f.initiator_ip;
  k.responder = f.responder_ip;
  k.initiator_mac = f.initiator_mac;
  k.responder_mac = f.responder_mac;
  k.transport = f.proto;
  k.port = f.responder_port;
  if (f.consumer) {
    if (const char* p = f.consumer->Protocol()) k.protocol = p;
  }
  k.vlan = f.vlan;
  Sighting s;
  s.Add(f.first_ts, f.last_ts, f.capture_index, f.first_frame);
  Note(conversations_, std::move(k), limits_.max_conversations, s);
}

void Communications::OnIcsOperation(const dissect::IcsOperation& op) {
  using dissect::IcsCategory;
  const bool change = op.category == IcsCategory::kProgramChange ||
                      op.category == IcsCategory::kFirmware ||
                      op.category == IcsCategory::kControllerState;
  if (!change && op.category != IcsCategory::kWrite) return;
  const auto& w = op.where;
  const uint64_t frame = op.Frame();
  Sighting s;
  s.Add(op.ts, op.ts, w.capture_index, frame);
  WriteSlot* slot = nullptr;
  if (!change) {
    const uint64_t h = core::HashIp(w.device_ip) ^ (core::HashIp(w.requester_ip) << 1) ^
                       w.device_mac.AsU64() ^ reinterpret_cast<uintptr_t>(op.function) ^
                       (uint64_t{w.device_port} << 32);
    slot = &write_cache_[core::Mix64(h) % write_cache_.size()];
    if (slot->entry && slot->protocol == op.protocol && slot->function == op.function &&
        slot->device == w.device_ip && slot->requester == w.requester_ip &&
        slot->device_mac == w.device_mac && slot->requester_mac == w.requester_mac &&
        slot->transport == w.transport && slot->device_port == w.device_port &&
        slot->vlan == w.vlan) {
      slot->entry->second.Merge(s);
      return;
    }
  }
  OperationKey k;
  k.requester = w.requester_ip;
  k.device = w.device_ip;
  k.requester_mac = w.requester_mac;
  k.device_mac = w.device_mac;
  k.transport = w.transport;
  k.device_port = w.device_port;
  k.vlan = w.vlan;
  k.protocol = op.protocol;
  k.function = *op.function ? op.function : "unknown";
  k.category = dissect::IcsCategoryName(op.category);
  // Writes repeat by the thousand against many registers: one line per function. Program
  // and state changes are rare and each names what it changed.
  if (change) k.target = std::string(op.target.view());
  auto* entry = Note(operations_, std::move(k), limits_.max_operations, s);
  if (slot && entry) {
    *slot = {entry,           op.protocol,  op.function, w.requester_ip, w.device_ip,
             w.requester_mac, w.device_mac, w.transport, w.device_port,  w.vlan};
  }
}

template <class Observation>
void Communications::NoteSession(const char* kind, const char* tool, const char* direction,
                                 const Observation& o) {
  SessionKey k;
  k.kind = kind;
  k.client = o.client_ip;
  k.server = o.server_ip;
  k.client_mac = o.client_mac;
  k.server_mac = o.server_mac;
  k.transport = o.transport;
  k.server_port = o.server_port;
  k.tool = tool;
  k.direction = direction;
  Sighting s;
  s.Add(o.ts, o.ts, o.capture_index, o.frame);
  Note(sessions_, std::move(k), limits_.max_sessions, s);
}

void Communications::OnRemoteAccess(const dissect::RemoteAccessObservation& r) {
  NoteSession("remote_access", r.tool, "", r);
}

void Communications::OnFileTransfer(const dissect::FileTransferObservation& t) {
  NoteSession("file_transfer", t.protocol, t.upload ? "upload" : "download", t);
}

size_t CanonicalNameInto(std::string_view name, std::span<char> out) {
  if (!name.empty() && name.front() == '[') {  // "[2001:db8::1]:8080"
    const size_t close = name.find(']');
    name = close == std::string_view::npos ? name.substr(1) : name.substr(1, close - 1);
  } else if (const size_t colon = name.find(':');
             colon != std::string_view::npos &&
             name.find(':', colon + 1) == std::string_view::npos) {
    name = name.substr(0, colon);  // one colon: "host:port"; more: a bare IPv6 address
  }
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const size_t n = std::min(name.size(), out.size());
  for (size_t i = 0; i < n; ++i) out[i] = core::AsciiLower(name[i]);
  return n;
}

std::string CanonicalName(std::string_view name) {
  std::array<char, 1024> buffer;
  return std::string(buffer.data(), CanonicalNameInto(name, buffer));
}

namespace {

// Folds text into a hash eight octets at a time (names are looked up on every DNS answer).
uint64_t HashText(std::string_view s, uint64_t h) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = core::Mix64(h ^ word);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return core::Mix64(h ^ tail ^ (uint64_t{s.size()} << 56));
}

}  // namespace

size_t NameKeyHash::operator()(const NameKeyLess::View& v) const {
  const uint64_t h = core::HashIp(v.client) ^ (core::HashIp(v.server) << 1) ^ v.client_mac.AsU64() ^
                     (v.server_mac.AsU64() << 3);
  return HashText(v.name, HashText(v.via, h));
}

void Communications::OnName(const char* via, std::string_view name, const core::IpAddr& client,
                            const core::MacAddr& client_mac, const core::IpAddr& server,
                            const core::MacAddr& server_mac, core::Timestamp ts,
                            uint32_t capture_index, uint64_t frame) {
  std::array<char, 1024> buffer;
  const std::string_view canonical(buffer.data(), CanonicalNameInto(name, buffer));
  if (canonical.empty()) return;
  Sighting s;
  s.Add(ts, ts, capture_index, frame);
  const NameKeyLess::View view{client,   server, client_mac, server_mac, std::string_view(via),
                               canonical};
  const size_t h = NameKeyHash{}(view);
  auto*& slot = name_cache_[h % name_cache_.size()];
  if (slot && NameKeyEqual::Equal(view, NameKeyLess::Of(slot->first))) {
    slot->second.Merge(s);
    return;
  }
  if (auto it = names_.find(view); it != names_.end()) {
    it->second.Merge(s);
    slot = &*it;
    return;
  }
  // Known to be new: no second look-up through Note.
  slot =
      NoteNew(names_, NameKey{client, server, client_mac, server_mac, via, std::string(canonical)},
              limits_.max_names, s);
}

std::vector<const Communications::NameEntry*> Communications::names() const {
  std::vector<const NameEntry*> out;
  out.reserve(names_.size());
  for (const auto& entry : names_) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](const NameEntry* a, const NameEntry* b) {
    return NameKeyLess::Less(NameKeyLess::Of(a->first), NameKeyLess::Of(b->first));
  });
  return out;
}

void Communications::Merge(const Communications& other) {
  for (const auto& [k, s] : other.conversations_) {
    Note(conversations_, k, limits_.max_conversations, s);
  }
  for (const auto& [k, s] : other.operations_) Note(operations_, k, limits_.max_operations, s);
  for (const auto& [k, s] : other.sessions_) Note(sessions_, k, limits_.max_sessions, s);
  // In key order, as the other tables: which names a full table keeps must not depend on
  // the hash table's order.
  for (const auto* entry : other.names())
    Note(names_, entry->first, limits_.max_names, entry->second);
}

}  // namespace qw::model
