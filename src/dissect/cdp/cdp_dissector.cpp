#include "dissect/cdp/cdp_dissector.h"

namespace qw::dissect::cdp {

NeighborObservation ToObservation(const CdpPdu& pdu) {
  NeighborObservation obs;
  obs.protocol = "cdp";
  // CDP's device id is what LLDP calls the chassis id; the system name TLV is optional.
  obs.chassis_id = pdu.device_id;
  obs.chassis_id_subtype = "device-id";
  obs.port_id = pdu.port_id;
  obs.port_id_subtype = "interface-name";
  obs.system_name = pdu.system_name.empty() ? pdu.device_id : pdu.system_name;
  obs.system_description = pdu.software_version;
  obs.platform = pdu.platform;
  if (pdu.capabilities) {
    for (auto name : CdpCapabilityNames(*pdu.capabilities)) obs.capabilities.emplace_back(name);
    obs.enabled_capabilities = obs.capabilities;
  }
  for (const auto* list : {&pdu.addresses, &pdu.management_addresses}) {
    for (const auto& a : *list) {
      // Devices without an address configured announce 0.0.0.0.
      if (a.ip.IsSet() && !a.ip.IsUnspecified()) obs.management_addresses.push_back(a.ip);
    }
  }
  obs.port_vlan = pdu.native_vlan.value_or(0);
  obs.ttl = pdu.ttl;
  obs.tlvs.reserve(pdu.tlvs.size());
  for (const auto& t : pdu.tlvs) obs.tlvs.push_back({t.type, "", t.value_hex});
  return obs;
}

void DissectCdp(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                core::Anomalies& anomalies) {
  auto pdu = ParseCdp(pkt.l2_payload, anomalies);
  if (!pdu) return;
  sink.OnNeighbor(ctx, ToObservation(*pdu));
}

}  // namespace qw::dissect::cdp
