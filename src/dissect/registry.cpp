// The registry: the one place that lists every dissector. Adding a protocol adds one line.
#include <array>

#include "dissect/arp/arp_dissector.h"
#include "dissect/bacnet/bacnet_dissector.h"
#include "dissect/cdp/cdp_dissector.h"
#include "dissect/dhcp/dhcp_dissector.h"
#include "dissect/dissector.h"
#include "dissect/dnp3/dnp3_dissector.h"
#include "dissect/dns/dns_dissector.h"
#include "dissect/enip/enip_dissector.h"
#include "dissect/ftp/ftp_dissector.h"
#include "dissect/http/http_dissector.h"
#include "dissect/iec104/iec104_dissector.h"
#include "dissect/ike/ike_dissector.h"
#include "dissect/lldp/lldp_dissector.h"
#include "dissect/modbus/modbus_dissector.h"
#include "dissect/nbds/nbds_dissector.h"
#include "dissect/ntp/ntp_dissector.h"
#include "dissect/onvif/onvif_dissector.h"
#include "dissect/opcua/opcua_dissector.h"
#include "dissect/openvpn/openvpn_dissector.h"
#include "dissect/profinet/profinet_dissector.h"
#include "dissect/rdp/rdp_dissector.h"
#include "dissect/rlogin/rlogin_dissector.h"
#include "dissect/rtsp/rtsp_dissector.h"
#include "dissect/s7comm/s7comm_dissector.h"
#include "dissect/s7comm_plus/s7comm_plus_dissector.h"
#include "dissect/smb2/smb2_dissector.h"
#include "dissect/snmp/snmp_dissector.h"
#include "dissect/ssh/ssh_dissector.h"
#include "dissect/syslog/syslog_dissector.h"
#include "dissect/teamviewer/teamviewer_dissector.h"
#include "dissect/telnet/telnet_dissector.h"
#include "dissect/tftp/tftp_dissector.h"
#include "dissect/tls/tls_dissector.h"
#include "dissect/vnc/vnc_dissector.h"
#include "dissect/wireguard/wireguard_dissector.h"

namespace qw::dissect {

namespace {

constexpr std::array<FrameDissectorInfo, 4> kFrameDissectors = {{
    {"arp", decode::L3::kArp, &arp::DissectArp},
    {"lldp", decode::L3::kLldp, &lldp::DissectLldp},
    {"cdp", decode::L3::kCdp, &cdp::DissectCdp},
    {"pn_dcp", decode::L3::kOther, &profinet::DissectProfinet, profinet::kPnEthertype},
}};

// Stream dissectors; within a transport, those listing a flow's port are probed first.
constexpr std::array<StreamDissectorInfo, 38> kStreamDissectors = {{
    {"modbus", 6, modbus::kPorts, &modbus::Probe, &modbus::Create},
    {"dnp3", 6, dnp3::kPorts, &dnp3::Probe, &dnp3::Create},
    {"dnp3", 17, dnp3::kPorts, &dnp3::Probe, &dnp3::Create},
    {"iec104", 6, iec104::kPorts, &iec104::Probe, &iec104::Create},
    {"opcua", 6, opcua::kPorts, &opcua::Probe, &opcua::Create},
    {"enip", 6, enip::kPorts, &enip::ProbeTcp, &enip::CreateTcp},
    {"enip", 17, enip::kPorts, &enip::ProbeUdp, &enip::CreateUdp},
    {"enip_io", 17, enip::kIoPorts, &enip::ProbeIo, &enip::CreateIo},
    {"bacnet", 17, bacnet::kPorts, &bacnet::Probe, &bacnet::Create},
    {"s7comm", 6, s7comm::kPorts, &s7comm::Probe, &s7comm::Create},
    {"s7comm_plus", 6, s7comm_plus::kPorts, &s7comm_plus::Probe, &s7comm_plus::Create},
    {"dns", 17, dns::kUdpPorts, &dns::ProbeUdp, &dns::CreateUdp},
    {"dns", 6, dns::kTcpPorts, &dns::ProbeTcp, &dns::CreateTcp},
    {"dhcp", 17, dhcp::kPorts, &dhcp::Probe, &dhcp::Create},
    {"dhcpv6", 17, dhcp::kV6Ports, &dhcp::ProbeV6, &dhcp::CreateV6},
    {"tls", 6, tls::kPorts, &tls::Probe, &tls::Create},
    {"ssh", 6, ssh::kPorts, &ssh::Probe, &ssh::Create},
    {"ftp", 6, ftp::kPorts, &ftp::Probe, &ftp::Create},
    {"tftp", 17, tftp::kPorts, &tftp::Probe, &tftp::Create},
    {"smb2", 6, smb2::kPorts, &smb2::Probe, &smb2::Create},
    {"rdp", 6, rdp::kPorts, &rdp::Probe, &rdp::Create},
    {"vnc", 6, vnc::kPorts, &vnc::Probe, &vnc::Create},
    {"telnet", 6, telnet::kPorts, &telnet::Probe, &telnet::Create},
    {"rlogin", 6, rlogin::kPorts, &rlogin::Probe, &rlogin::Create},
    {"teamviewer", 6, teamviewer::kPorts, &teamviewer::ProbeTcp, &teamviewer::CreateTcp},
    {"teamviewer", 17, teamviewer::kPorts, &teamviewer::ProbeUdp, &teamviewer::CreateUdp},
    {"openvpn", 6, openvpn::kPorts, &openvpn::ProbeTcp, &openvpn::CreateTcp},
    {"openvpn", 17, openvpn::kPorts, &openvpn::ProbeUdp, &openvpn::CreateUdp},
    {"wireguard", 17, wireguard::kPorts, &wireguard::Probe, &wireguard::Create},
    {"ike", 17, ike::kPorts, &ike::Probe, &ike::Create},
    {"http", 6, http::kPorts, &http::Probe, &http::Create},
    {"rtsp", 6, rtsp::kPorts, &rtsp::Probe, &rtsp::Create},
    {"ws_discovery", 17, onvif::kDiscoveryPorts, &onvif::ProbeDiscovery, &onvif::CreateDiscovery},
    {"snmp", 17, snmp::kPorts, &snmp::Probe, &snmp::Create},
    {"ntp", 17, ntp::kPorts, &ntp::Probe, &ntp::Create},
    {"nbds", 17, nbds::kPorts, &nbds::Probe, &nbds::Create},
    {"syslog", 17, syslog::kUdpPorts, &syslog::ProbeUdp, &syslog::CreateUdp},
    {"syslog", 6, syslog::kTcpPorts, &syslog::ProbeTcp, &syslog::CreateTcp},
}};
static_assert(kStreamDissectors.size() <= 64, "OrderCandidates indexes stream dissectors by bit");

}  // namespace

std::span<const FrameDissectorInfo> FrameDissectors() { return kFrameDissectors; }
std::span<const StreamDissectorInfo> StreamDissectors() { return kStreamDissectors; }

}  // namespace qw::dissect
