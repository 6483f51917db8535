// What every dissector test needs: annotated hex fixtures, a sink that records every
// observation, and a harness that runs a registered stream dissector behind the real
// StreamAttacher on a made-up flow, segment by segment, as the flow table would.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/anomalies.h"
#include "core/hex.h"
#include "dissect/dissector.h"
#include "dissect/observation.h"
#include "dissect/stream_attacher.h"
#include "flow/flow.h"

namespace qw::dissect::testing {

/// Bytes of an annotated hex fixture ("# comments" and whitespace ignored).
inline std::vector<uint8_t> Hex(std::string_view text) {
  auto bytes = core::ParseHex(text);
  EXPECT_TRUE(bytes.has_value()) << "bad fixture";
  return bytes.value_or(std::vector<uint8_t>{});
}

/// Keeps a copy of every observation, in order.
class RecordingSink : public ObservationSink {
 public:
  void OnArp(const FrameContext&, const ArpObservation& o) override { arps.push_back(o); }
  void OnNeighbor(const FrameContext&, const NeighborObservation& o) override {
    neighbors.push_back(o);
  }
  void OnIcsOperation(const IcsOperation& op) override { ops.push_back(op); }
  void OnPdu(const PduObservation& p) override {
    if (p.frame_only) {
      marked_frames.push_back(p.frame);
    } else {
      pdus.push_back(p);
    }
  }
  void OnPduDetail(const PduDetail& d) override { details.push_back(d); }
  void OnIdentity(const DeviceIdentity& id) override { identities.push_back(id); }
  void OnCyclic(const CyclicObservation& c) override { cyclic.push_back(c); }
  void OnDns(const DnsObservation& m) override {
    // The records are a view that dies with the call: keep a copy and point at it.
    dns_records.emplace_back(m.records.begin(), m.records.end());
    dns.push_back(m);
    dns.back().records = dns_records.back();
  }
  void OnDhcp(const DhcpObservation& m) override { dhcp.push_back(m); }
  void OnTls(const TlsObservation& t) override { tls.push_back(t); }
  void OnRemoteAccess(const RemoteAccessObservation& r) override { remote.push_back(r); }
  void OnFileTransfer(const FileTransferObservation& t) override { transfers.push_back(t); }
  void OnHttp(const HttpObservation& h) override { http.push_back(h); }
  void OnSnmp(const SnmpObservation& s) override { snmp.push_back(s); }
  void OnBlockTransfer(const BlockTransferObservation& b) override { blocks.push_back(b); }

  /// The value of `key` in the first identity that has it, or "".
  std::string Identity(std::string_view key) const {
    for (const auto& id : identities) {
      for (const auto& [k, v] : id.fields) {
        if (k == key) return v;
      }
    }
    return "";
  }

  std::vector<ArpObservation> arps;
  std::vector<NeighborObservation> neighbors;
  std::vector<IcsOperation> ops;
  std::vector<BlockTransferObservation> blocks;
  std::vector<PduObservation> pdus;
  std::vector<uint64_t> marked_frames;  // frames marked as carrying part of a later PDU
  std::vector<PduDetail> details;
  std::vector<DeviceIdentity> identities;
  std::vector<CyclicObservation> cyclic;
  std::deque<DnsObservation> dns;
  std::deque<std::vector<DnsRecordObservation>> dns_records;  // what dns[i].records shows
  std::vector<DhcpObservation> dhcp;
  std::vector<TlsObservation> tls;
  std::vector<RemoteAccessObservation> remote;
  std::vector<FileTransferObservation> transfers;
  std::vector<HttpObservation> http;
  std::vector<SnmpObservation> snmp;
};

/// A registered stream dissector on a flow from 10.0.0.1:50000 (the initiator) to
/// 10.0.0.2 on the dissector's first port, fed through the real StreamAttacher.
class StreamHarness {
 public:
  explicit StreamHarness(const StreamDissectorInfo& info, AttachLimits limits = {}) : info_(info) {
    flow_.proto = info.transport;
    flow_.initiator_ip = *core::IpAddr::Parse("10.0.0.1");
    flow_.responder_ip = *core::IpAddr::Parse("10.0.0.2");
    flow_.initiator_port = 50000;
    flow_.responder_port = info.ports.empty() ? 1 : info.ports[0];
    flow_.initiator_mac = *core::MacAddr::Parse("02:00:00:00:00:01");
    flow_.responder_mac = *core::MacAddr::Parse("02:00:00:00:00:02");
    attacher_ = std::make_unique<StreamAttacher>(flow_, Candidates(std::span(&info_, 1)), sink,
                                                 anomalies, stats, limits);
  }

  /// Bytes of one direction carried by frame `frame` (one TCP segment or UDP datagram).
  void Send(flow::Direction dir, std::span<const uint8_t> bytes, uint64_t frame) {
    attacher_->OnData(dir, bytes, frame, core::Timestamp{static_cast<int64_t>(frame) * 1'000'000});
  }
  /// The request side (the initiator) sends.
  void Request(std::span<const uint8_t> bytes, uint64_t frame) {
    Send(flow::Direction::kFromInitiator, bytes, frame);
  }
  /// The device side (the responder) sends.
  void Response(std::span<const uint8_t> bytes, uint64_t frame) {
    Send(flow::Direction::kFromResponder, bytes, frame);
  }
  /// The same bytes cut into segments of `chunk` bytes, all in frame `frame`.
  void SendInChunks(flow::Direction dir, std::span<const uint8_t> bytes, size_t chunk,
                    uint64_t frame) {
    for (size_t i = 0; i < bytes.size(); i += chunk) {
      Send(dir, bytes.subspan(i, std::min(chunk, bytes.size() - i)), frame);
    }
  }
  /// n bytes of one direction are missing.
  void Gap(flow::Direction dir, uint64_t n) { attacher_->OnGap(dir, n); }
  /// The flow ends.
  void End() { attacher_->OnEnd(flow::EndReason::kEndOfInput); }
  /// The protocol the attacher recognised, or nullptr.
  const char* Protocol() const { return attacher_->Protocol(); }
  const flow::Flow& flow() const { return flow_; }

  RecordingSink sink;
  core::Anomalies anomalies;
  AttachStats stats;

 private:
  StreamDissectorInfo info_;
  flow::Flow flow_;
  std::unique_ptr<StreamAttacher> attacher_;
};

/// Finds a registered stream dissector by name (fails the test when absent).
inline const StreamDissectorInfo& Registered(std::string_view name) {
  for (const auto& d : StreamDissectors()) {
    if (name == d.name) return d;
  }
  ADD_FAILURE() << "no stream dissector named " << name;
  static const StreamDissectorInfo kNone = {"none", 6, {}, nullptr, nullptr};
  return kNone;
}

/// Finds the registered stream dissector `name` on `transport` (6 TCP, 17 UDP), for a
/// protocol registered on both (fails the test when absent).
inline const StreamDissectorInfo& Registered(std::string_view name, uint8_t transport) {
  for (const auto& d : StreamDissectors()) {
    if (name == d.name && d.transport == transport) return d;
  }
  ADD_FAILURE() << "no stream dissector named " << name << " on transport " << int{transport};
  return Registered(name);
}

/// Calls f with every proper prefix of `bytes` (length 0 to size-1).
template <typename F>
void ForEachPrefix(std::span<const uint8_t> bytes, F&& f) {
  for (size_t n = 0; n < bytes.size(); ++n) f(bytes.first(n));
}

}  // namespace qw::dissect::testing
