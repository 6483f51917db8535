// The analysis engine: frames in, RunReport and flow rows out. It wires the layers in the
// order of docs/architecture.md: decode, frame dissectors, inventory, flows (with stream
// dissectors attached to them), and counts what each frame held as tshark would.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/frame.h"
#include "core/anomalies.h"
#include "decode/decoder.h"
#include "dissect/expectations.h"
#include "dissect/stream_attacher.h"
#include "flow/flow_table.h"
#include "model/inventory.h"
#include "model/protocol_stats.h"
#include "model/run_report.h"
#include "policy/zones.h"

namespace qw::app {

/// Receives every flow as it ends (the SQLite store, in production).
class FlowRecordSink {
 public:
  virtual ~FlowRecordSink() = default;
  /// One ended flow; false stops the run (the sink failed and said why in error()).
  virtual bool OnFlowRecord(const model::FlowRecord& record) = 0;
  /// One industrial operation; false stops the run as OnFlowRecord does.
  virtual bool OnIcsOperation(const dissect::IcsOperation&) { return true; }
  /// A flow with a dissector is over, its last operations handed on (`flow_id` as in its
  /// FlowRecord); false stops the run as OnFlowRecord does.
  virtual bool OnFlowDone(uint64_t /*flow_id*/) { return true; }
  /// One DNS, mDNS or LLMNR message; false stops the run as OnFlowRecord does.
  virtual bool OnDns(const dissect::DnsObservation&) { return true; }
  /// One DHCP or DHCPv6 message; false stops the run as OnFlowRecord does.
  virtual bool OnDhcp(const dissect::DhcpObservation&) { return true; }
  /// One TLS handshake; false stops the run as OnFlowRecord does.
  virtual bool OnTls(const dissect::TlsObservation&) { return true; }
  /// One remote-access session; false stops the run as OnFlowRecord does.
  virtual bool OnRemoteAccess(const dissect::RemoteAccessObservation&) { return true; }
  /// One file transfer; false stops the run as OnFlowRecord does.
  virtual bool OnFileTransfer(const dissect::FileTransferObservation&) { return true; }
  /// One HTTP or RTSP exchange; false stops the run as OnFlowRecord does.
  virtual bool OnHttp(const dissect::HttpObservation&) { return true; }
  /// One SNMP message or pair; false stops the run as OnFlowRecord does.
  virtual bool OnSnmp(const dissect::SnmpObservation&) { return true; }
};

/// Bounds of every stage, from the command line.
struct EngineLimits {
  decode::DecoderLimits decoder;
  flow::FlowLimits flows;
  model::InventoryLimits inventory;
  dissect::AttachLimits attach;
  bool no_dissectors = false;  // stream dissectors and EtherType-chosen frame dissectors off
  // Not a limit: the site policy's zones, which flow records are annotated with (shared,
  // read-only, by every shard); nullptr without a policy.
  const policy::ZoneMap* zones = nullptr;
};

/// Processes frames of one or more captures, in order, on one thread.
class Engine final : public flow::FlowObserver {
 public:
  Engine(EngineLimits limits, FlowRecordSink* sink);
  ~Engine() override;

  /// Processes one frame of the capture file with index `capture_index`.
  void OnFrame(const capture::Frame& frame, uint32_t capture_index);
  /// Processes a frame another decoder already decoded (without reassembly: fragments
  /// must come through OnFrame, whose decoder reassembles).
  void OnDecoded(const capture::Frame& frame, uint32_t capture_index, const decode::Packet& pkt);
  /// Lets flows idle since before `now` end, as a packet of that time would.
  void AdvanceTo(core::Timestamp now);
  /// Ends every flow still open (end of input) and returns what the run found so far.
  void Finish();

  const model::FrameCounts& frame_counts() const { return counts_; }
  model::FlowCounts flow_counts() const;
  const core::Anomalies& anomalies() const { return anomalies_; }
  const model::Inventory& inventory() const { return inventory_; }
  /// The inventory as it would be if every flow still live ended now: a copy, for the live
  /// dashboard's snapshots.
  std::unique_ptr<model::Inventory> InventoryWithLiveFlows() const;
  const model::ProtocolCounter& protocols() const { return protocols_; }

 private:
  // Hands each observation to the part of the model that keeps it.
  class Observations final : public dissect::ObservationSink {
   public:
    explicit Observations(Engine& e) : e_(e) {}
    void OnArp(const dissect::FrameContext& c, const dissect::ArpObservation& o) override {
      e_.inventory_.OnArp(c, o);
    }
    void OnNeighbor(const dissect::FrameContext& c,
                    const dissect::NeighborObservation& o) override {
      e_.neighbor_noted_ = true;
      e_.inventory_.OnNeighbor(c, o);
    }
    void OnIcsOperation(const dissect::IcsOperation& op) override;
    void OnPdu(const dissect::PduObservation& p) override { e_.protocols_.OnPdu(p, e_.anomalies_); }
    void OnPduDetail(const dissect::PduDetail& d) override {
      e_.protocols_.OnDetail(d, e_.anomalies_);
    }
    void OnIdentity(const dissect::DeviceIdentity& id) override { e_.inventory_.OnIdentity(id); }
    void OnCyclic(const dissect::CyclicObservation& o) override { e_.inventory_.OnCyclic(o); }
    void OnDns(const dissect::DnsObservation& o) override;
    void OnDhcp(const dissect::DhcpObservation& o) override;
    void OnTls(const dissect::TlsObservation& o) override;
    void OnRemoteAccess(const dissect::RemoteAccessObservation& o) override;
    void OnFileTransfer(const dissect::FileTransferObservation& o) override;
    void OnHttp(const dissect::HttpObservation& o) override;
    void OnSnmp(const dissect::SnmpObservation& o) override;
    void OnBlockTransfer(const dissect::BlockTransferObservation& o) override {
      e_.inventory_.OnBlockTransfer(o);
    }

   private:
    Engine& e_;
  };

  void OnNewFlow(flow::Flow& flow) override;
  void OnNeighborFrame(const dissect::FrameDissectorInfo& d, const decode::Packet& pkt,
                       const dissect::FrameContext& ctx);
  void OnFlowEnd(flow::Flow& flow, flow::EndReason reason) override;
  void OnFlowGone(const flow::Flow& flow) override;
  void Count(const decode::Packet& pkt);

  EngineLimits limits_;
  FlowRecordSink* sink_;
  core::Anomalies anomalies_;
  decode::Decoder decoder_;
  decode::Packet pkt_;
  model::Inventory inventory_;
  model::ProtocolCounter protocols_;
  Observations observations_{*this};
  model::FrameCounts counts_;
  dissect::AttachStats attach_stats_;
  dissect::Expectations expectations_;  // before flows_: flows' dissectors may use it at the end
  std::unique_ptr<flow::FlowTable> flows_;
  uint64_t flows_by_proto_[3] = {0, 0, 0};  // tcp, udp, other
  // The last LLDP or CDP announcement read without an anomaly, per sender and protocol (by
  // slot: a sender may lose its slot to another): a frame that repeats it is not read again.
  struct NeighborSlot {
    core::MacAddr mac;
    const char* protocol = nullptr;  // the frame dissector's name; nullptr: empty slot
    uint64_t hash = 0;               // of the frame's LLDP or CDP octets
    size_t size = 0;
  };
  std::array<NeighborSlot, 64> neighbor_slots_{};
  bool neighbor_noted_ = false;  // the frame being read gave the inventory an announcement
};

/// Text name of a flow's TCP state, as the flows table stores it.
const char* TcpStateName(flow::TcpState state);
/// Text name of why a flow ended.
const char* EndReasonName(flow::EndReason reason);

}  // namespace qw::app
