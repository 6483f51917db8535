// The network a simulation runs on: zones (VLAN, subnet, router interface), hosts with their
// vendor MACs and addresses, switches that announce themselves, and the roles traffic
// generators pick their endpoints from. The plan is fixed per scenario (independent of the
// seed) so that a site policy written for it fits every capture of that scenario.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/result.h"
#include "simulate/simulate.h"

namespace qw::simulate {

/// What a host is, which decides the traffic it takes part in.
enum class Role : uint8_t {
  kRouter,  // a VLAN interface of the core router
  kSwitch,
  kWorkstation,
  kServer,
  kPlc,
  kDrive,
  kIo,
  kHmi,
  kEngineering,
  kCamera,
  kNvr,
  kScanner,
  kGateOcr,
  kReefer,
  kRtu,            // a remote terminal unit or bay controller of the electrical network
  kBmsController,  // a building-automation (BACnet) controller
  kExternal,       // on the Internet, behind the firewall
};

/// Zone index of hosts on the Internet.
inline constexpr uint16_t kExternalZone = 0xffff;
/// Host index meaning "no such device".
inline constexpr uint32_t kNoHost = 0xffffffff;

/// One addressable device.
struct Host {
  std::string name;
  Role role = Role::kServer;
  uint16_t zone = kExternalZone;
  core::MacAddr mac;     // zero for Internet hosts, reached through the router
  uint32_t ip = 0;       // host order
  uint8_t ttl = 64;      // initial TTL of its IP stack
  bool planted = false;  // takes part in a planted violation only (no ARP, no regular traffic)
};

/// One VLAN with its subnet and the router interface that serves it.
struct Zone {
  SimZone plan;
  uint32_t network = 0;
  uint8_t prefix_len = 24;
  uint32_t router = 0;  // host index of the router interface (gateway) on this VLAN
  std::vector<uint32_t> hosts;
};

/// A switch that sends LLDP (and CDP, for Cisco) on its uplink.
struct Switch {
  uint32_t host = 0;  // its management address and MAC
  std::string port;   // uplink port name as announced
  std::string description;
  bool cisco = false;
  uint16_t capabilities = 0x0004;  // bridge; 0x0014 bridge and router
};

/// The devices of one ship-to-shore crane's control network.
struct Crane {
  uint16_t zone = 0;
  uint32_t plc = 0;
  uint32_t safety_plc = 0;
  uint32_t hmi = 0;
  uint32_t crane_pc = 0;
  std::vector<uint32_t> drives;  // hoist, trolley (Siemens), gantry, boom (Danfoss)
  std::vector<uint32_t> io;      // Phoenix Contact, Schneider Electric, Rockwell remote I/O
  uint32_t clx = kNoHost;        // spreader ControlLogix (EtherNet/IP), where fitted
  uint32_t sway = kNoHost;       // anti-sway controller, an S7-1500 (S7comm-plus), where fitted
  bool profinet = false;         // PLC drives the Siemens drives and Phoenix I/O by PROFINET
};

/// A public DNS name and the Internet host it resolves to.
struct PublicName {
  std::string name;
  uint32_t host = 0;
};

/// A whole scenario: zones, hosts and the hosts traffic generators use by role.
struct Scenario {
  std::vector<Zone> zones;
  std::vector<Host> hosts;
  std::vector<Switch> switches;
  std::vector<Crane> cranes;

  // Business IT.
  std::vector<uint32_t> it_workstations;
  uint32_t dns = 0, dhcp = 0, file_server = 0, mail = 0, proxy = 0, intranet = 0, dc = 0;
  uint32_t contractor_laptop = 0;         // engineering software on the office network (planted)
  uint32_t bms = 0;                       // building management server, BACnet client
  std::vector<uint32_t> bms_controllers;  // BACnet controllers, offices and gate house
  // Terminal operations.
  std::vector<uint32_t> tos_app, ops_workstations, gate_ocr, reefer;
  uint32_t tos_db = 0;
  // Electrical network inside terminal operations (10.20.4.0/24): substation RTU (DNP3)
  // and shore-power units (IEC 60870-5-104), polled by the power SCADA server.
  uint32_t power_scada = 0, substation_rtu = 0;
  std::vector<uint32_t> shore_power;
  // Crane management.
  std::vector<uint32_t> rcms, engineering;
  uint32_t historian = 0;
  // Cameras and scanners.
  std::vector<uint32_t> cameras, scanner_workstations;
  uint32_t nvr = 0, scanner = 0, scanner_server = 0;
  // The Internet.
  std::vector<PublicName> public_names;
  std::vector<uint32_t> resolvers;
  std::string domain;  // internal DNS domain, e.g. "terminal.example"
  // The devices and names of the planted violations ("clean" and "violations" plans; see
  // plants.cpp). A planted device's own traffic is its violation's.
  uint32_t rogue_laptop = kNoHost;     // on crane 2's VLAN with an address no zone holds
  uint32_t crane_camera = kNoHost;     // a Hikvision camera on crane 3's control VLAN
  uint32_t dual_homed = kNoHost;       // an engineering workstation's office address (its MAC)
  PublicName watched{"", kNoHost};     // a LOGINK name on the shipped policy's watchlist
  PublicName share{"", kNoHost};       // a file-sharing site no data-sharing agreement names
  PublicName relay{"", kNoHost};       // a remote-support platform's relay
  PublicName vendor_vpn{"", kNoHost};  // a crane maker's VPN gateway
};

/// Builds the named scenario's plan ("terminal", "clean", "violations"); fails for an
/// unknown name.
core::Result<Scenario> BuildScenario(const std::string& name);

/// Dotted-quad text of a host-order IPv4 address.
std::string Ipv4Text(uint32_t ip);

}  // namespace qw::simulate
