#include "dissect/arp/arp_dissector.h"

namespace qw::dissect::arp {

void DissectArp(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                core::Anomalies& anomalies) {
  // The decoder leaves op 0 for ARP it could not read as Ethernet/IPv4 (and said why).
  if (pkt.arp.op == 0) return;
  ArpObservation obs;
  obs.op = pkt.arp.op;
  obs.sender_mac = pkt.arp.sender_mac;
  obs.target_mac = pkt.arp.target_mac;
  obs.sender_ip = pkt.arp.sender_ip;
  obs.target_ip = pkt.arp.target_ip;
  obs.gratuitous = obs.sender_ip == obs.target_ip;
  if (pkt.has_mac && obs.sender_mac != pkt.src_mac) {
    // Proxy ARP and some spoofing tools answer for another MAC than their own.
    anomalies.Raise("arp.sender_mac_mismatch");
  }
  sink.OnArp(ctx, obs);
}

}  // namespace qw::dissect::arp
