#include "dissect/lldp/lldp_dissector.h"

#include <fmt/format.h>

namespace qw::dissect::lldp {

namespace {
std::vector<std::string> Names(std::vector<std::string_view> names) {
  return {names.begin(), names.end()};
}
}  // namespace

NeighborObservation ToObservation(const LldpPdu& pdu) {
  NeighborObservation obs;
  obs.protocol = "lldp";
  obs.chassis_id = pdu.chassis_id.value;
  obs.chassis_id_subtype = std::string(LldpChassisIdSubtypeName(pdu.chassis_id.subtype));
  if (pdu.port_id) {
    obs.port_id = pdu.port_id->value;
    obs.port_id_subtype = std::string(LldpPortIdSubtypeName(pdu.port_id->subtype));
  }
  obs.port_description = pdu.port_description;
  obs.system_name = pdu.system_name;
  obs.system_description = pdu.system_description;
  if (pdu.capabilities) {
    obs.capabilities = Names(LldpCapabilityNames(pdu.capabilities->supported));
    obs.enabled_capabilities = Names(LldpCapabilityNames(pdu.capabilities->enabled));
  }
  for (const auto& m : pdu.management_addresses) {
    if (m.ip.IsSet() && !m.ip.IsUnspecified()) obs.management_addresses.push_back(m.ip);
  }
  obs.port_vlan = pdu.port_vlan_id.value_or(0);
  obs.ttl = pdu.ttl.value_or(0);
  const auto& inv = pdu.med_inventory;
  obs.manufacturer = inv.manufacturer;
  obs.platform = inv.model_name;
  obs.firmware = inv.firmware_revision;
  obs.software = inv.software_revision;
  obs.hardware = inv.hardware_revision;
  obs.serial = inv.serial_number;
  obs.tlvs.reserve(pdu.tlvs.size());
  for (const auto& t : pdu.tlvs) {
    RawTlv raw;
    raw.type = t.type;
    if (t.type == static_cast<uint8_t>(LldpTlvType::kOrgSpecific)) {
      raw.subtype = fmt::format("{:02x}-{:02x}-{:02x}/{}", (t.oui >> 16) & 0xff,
                                (t.oui >> 8) & 0xff, t.oui & 0xff, t.subtype);
    }
    raw.value_hex = t.value_hex;
    obs.tlvs.push_back(std::move(raw));
  }
  return obs;
}

void DissectLldp(const decode::Packet& pkt, const FrameContext& ctx, ObservationSink& sink,
                 core::Anomalies& anomalies) {
  auto pdu = ParseLldp(pkt.l2_payload, anomalies);
  if (!pdu) return;
  sink.OnNeighbor(ctx, ToObservation(*pdu));
}

}  // namespace qw::dissect::lldp
