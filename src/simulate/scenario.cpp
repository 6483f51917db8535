#include "simulate/scenario.h"

#include <set>

#include "core/address.h"

namespace qw::simulate {
namespace {

// IEEE MA-L assignments (and Nuctech's MA-M, whose fourth byte starts with 0xB) from
// /usr/share/ieee-data, so that vendor lookup names the devices.
constexpr uint32_t kCisco = 0x00b771;
constexpr uint32_t kCiscoRouter = 0x6c5e3b;
constexpr uint32_t kDell = 0x98e743;
constexpr uint32_t kDell2 = 0x3c2c30;
constexpr uint32_t kHp = 0x9c7bef;
constexpr uint32_t kLenovo = 0x10c595;
constexpr uint32_t kVmware = 0x005056;
constexpr uint32_t kMoxa = 0x0090e8;
constexpr uint32_t kHirschmann = 0x008063;
constexpr uint32_t kSiemens = 0x001b1b;
constexpr uint32_t kSiemens2 = 0x000e8c;
constexpr uint32_t kDanfossDrives = 0x001b08;
constexpr uint32_t kPhoenix = 0x00a045;
constexpr uint32_t kSchneider = 0x000054;
constexpr uint32_t kRockwell = 0x0000bc;
constexpr uint32_t kHikvision = 0x4447cc;
constexpr uint32_t kHikvision2 = 0x5803fb;
constexpr uint32_t kDahua = 0x08eded;
constexpr uint32_t kAxis = 0xb8a44f;
constexpr uint32_t kNuctech = 0xc09bf4;        // MA-M C0:9B:F4:B
constexpr uint32_t kSel = 0x0030a7;            // Schweitzer Engineering Laboratories
constexpr uint32_t kAbbAutomation = 0x60391f;  // ABB Ltd, Distribution Automation
constexpr uint32_t kJohnsonControls = 0x00108d;
constexpr uint32_t kDeltaControls = 0x0040ae;

constexpr uint32_t Ip(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

// Builds the plan: hands out unique MACs under each vendor prefix and keeps zone lists.
class PlanBuilder {
 public:
  explicit PlanBuilder(Scenario& s) : s_(s) {}

  uint16_t AddZone(std::string name, std::string kind, uint32_t network, uint8_t prefix,
                   uint16_t vlan) {
    Zone zone;
    zone.plan = SimZone{std::move(name), std::move(kind),
                        Ipv4Text(network) + "/" + std::to_string(prefix), vlan};
    zone.network = network;
    zone.prefix_len = prefix;
    const auto index = static_cast<uint16_t>(s_.zones.size());
    s_.zones.push_back(std::move(zone));
    // The core router's interface on this VLAN: .1, one MAC per VLAN interface.
    const uint32_t router = Add(index, "core-rtr-vlan" + std::to_string(vlan), Role::kRouter,
                                kCiscoRouter, network + 1, 255);
    s_.zones[index].router = router;
    return index;
  }

  uint32_t Add(uint16_t zone, std::string name, Role role, uint32_t oui, uint32_t ip, uint8_t ttl) {
    Host host;
    host.name = std::move(name);
    host.role = role;
    host.zone = zone;
    host.mac = NewMac(oui);
    host.ip = ip;
    host.ttl = ttl;
    const auto index = static_cast<uint32_t>(s_.hosts.size());
    s_.hosts.push_back(std::move(host));
    s_.zones[zone].hosts.push_back(index);
    return index;
  }

  uint32_t AddExternal(std::string name, uint32_t ip) {
    Host host;
    host.name = std::move(name);
    host.role = Role::kExternal;
    host.ip = ip;
    host.ttl = static_cast<uint8_t>(ip % 3 == 0 ? 128 - 14 : 64 - 11);  // hops already taken
    s_.hosts.push_back(std::move(host));
    return static_cast<uint32_t>(s_.hosts.size() - 1);
  }

  void AddSwitch(uint16_t zone, std::string name, uint32_t oui, uint32_t ip, std::string port,
                 std::string description, bool cisco, uint16_t capabilities = 0x0004) {
    Switch sw;
    sw.host = Add(zone, std::move(name), Role::kSwitch, oui, ip, 255);
    sw.port = std::move(port);
    sw.description = std::move(description);
    sw.cisco = cisco;
    sw.capabilities = capabilities;
    s_.switches.push_back(std::move(sw));
  }

 private:
  core::MacAddr NewMac(uint32_t oui) {
    for (uint64_t attempt = 0;; ++attempt) {
      uint64_t tail = core::Mix64(s_.hosts.size() * 0x9e3779b97f4a7c15ULL + attempt) & 0xffffff;
      if (oui == kNuctech) tail = 0xb00000 | (tail & 0x0fffff);
      const uint64_t value = uint64_t{oui} << 24 | tail;
      if (!used_.insert(value).second) continue;
      core::MacAddr mac;
      for (int i = 0; i < 6; ++i) mac.b[i] = static_cast<uint8_t>(value >> (8 * (5 - i)));
      return mac;
    }
  }

  Scenario& s_;
  std::set<uint64_t> used_;
};

std::string Numbered(const char* prefix, size_t n, int width = 2) {
  std::string digits = std::to_string(n);
  while (digits.size() < static_cast<size_t>(width)) digits.insert(digits.begin(), '0');
  return prefix + digits;
}

constexpr const char* kCiscoIos =
    "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version "
    "17.9.4a, RELEASE SOFTWARE (fc3)";
constexpr const char* kCiscoAccess =
    "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_LITE_IOSXE), Version "
    "17.9.4a, RELEASE SOFTWARE (fc3)";
constexpr const char* kHirschmannOs = "Hirschmann Railswitch RSP35 HiOS-3S-08.7.04";

void BuildBusinessIt(PlanBuilder& b, Scenario& s) {
  const uint16_t z = b.AddZone("business-it", "enterprise", Ip(10, 10, 0, 0), 16, 10);
  s.dc = b.Add(z, "dc1", Role::kServer, kVmware, Ip(10, 10, 0, 10), 128);
  s.dns = b.Add(z, "dns1", Role::kServer, kVmware, Ip(10, 10, 0, 11), 64);
  s.dhcp = b.Add(z, "dhcp1", Role::kServer, kVmware, Ip(10, 10, 0, 12), 128);
  s.file_server = b.Add(z, "fs1", Role::kServer, kVmware, Ip(10, 10, 0, 20), 128);
  s.mail = b.Add(z, "mail1", Role::kServer, kVmware, Ip(10, 10, 0, 25), 128);
  s.proxy = b.Add(z, "proxy1", Role::kServer, kVmware, Ip(10, 10, 0, 30), 64);
  s.intranet = b.Add(z, "intranet1", Role::kServer, kVmware, Ip(10, 10, 0, 40), 64);
  const uint32_t vendors[] = {kDell, kDell2, kHp, kLenovo};
  for (uint32_t i = 0; i < 170; ++i) {
    s.it_workstations.push_back(b.Add(z, Numbered("ws-it-", i + 1, 3), Role::kWorkstation,
                                      vendors[i % 4], Ip(10, 10, 1 + i / 200, 20 + i % 200), 128));
  }
  // The core switch, whose VLAN interfaces route between the zones (see AddZone).
  b.AddSwitch(z, "core-sw1", kCisco, Ip(10, 10, 0, 254), "Te1/0/1", kCiscoIos, true, 0x0014);
  for (uint32_t i = 0; i < 4; ++i) {
    b.AddSwitch(z, Numbered("it-sw", i + 1, 1), kCisco, Ip(10, 10, 0, 2 + i), "Te1/1/1",
                kCiscoAccess, true);
  }
}

void BuildOperations(PlanBuilder& b, Scenario& s) {
  const uint16_t z = b.AddZone("terminal-ops", "operations", Ip(10, 20, 0, 0), 16, 20);
  s.tos_app.push_back(b.Add(z, "tos-app1", Role::kServer, kVmware, Ip(10, 20, 0, 10), 64));
  s.tos_app.push_back(b.Add(z, "tos-app2", Role::kServer, kVmware, Ip(10, 20, 0, 11), 64));
  s.tos_db = b.Add(z, "tos-db1", Role::kServer, kVmware, Ip(10, 20, 0, 20), 64);
  for (uint32_t i = 0; i < 4; ++i) {
    s.gate_ocr.push_back(b.Add(z, Numbered("gate-ocr-lane", i + 1), Role::kGateOcr, kDell2,
                               Ip(10, 20, 1, 11 + i), 128));
  }
  for (uint32_t i = 0; i < 8; ++i) {
    s.reefer.push_back(
        b.Add(z, Numbered("reefer-gw", i + 1), Role::kReefer, kMoxa, Ip(10, 20, 2, 11 + i), 64));
  }
  for (uint32_t i = 0; i < 20; ++i) {
    s.ops_workstations.push_back(
        b.Add(z, Numbered("ws-ops-", i + 1), Role::kWorkstation, kHp, Ip(10, 20, 3, 20 + i), 128));
  }
  b.AddSwitch(z, "ops-sw1", kCisco, Ip(10, 20, 0, 2), "Te1/1/1", kCiscoAccess, true);
}

void BuildCraneManagement(PlanBuilder& b, Scenario& s) {
  const uint16_t z = b.AddZone("rcms", "crane-management", Ip(10, 40, 0, 0), 24, 40);
  s.rcms.push_back(b.Add(z, "rcms-srv1", Role::kServer, kDell, Ip(10, 40, 0, 10), 128));
  s.rcms.push_back(b.Add(z, "rcms-srv2", Role::kServer, kDell, Ip(10, 40, 0, 11), 128));
  s.historian = b.Add(z, "historian1", Role::kServer, kDell, Ip(10, 40, 0, 12), 128);
  for (uint32_t i = 0; i < 4; ++i) {
    s.engineering.push_back(b.Add(z, Numbered("eng-ws", i + 1), Role::kEngineering, kLenovo,
                                  Ip(10, 40, 0, 21 + i), 128));
  }
  b.AddSwitch(z, "rcms-sw1", kHirschmann, Ip(10, 40, 0, 2), "1/1", kHirschmannOs, false);
}

void BuildCranes(PlanBuilder& b, Scenario& s) {
  for (uint32_t n = 1; n <= 6; ++n) {
    const std::string crane = "sts" + std::to_string(n);
    const uint16_t z = b.AddZone("crane-" + std::to_string(n), "crane-control", Ip(10, 50, n, 0),
                                 24, static_cast<uint16_t>(500 + n));
    Crane c;
    c.zone = z;
    c.plc = b.Add(z, crane + "-plc", Role::kPlc, kSiemens, Ip(10, 50, n, 10), 30);
    c.safety_plc = b.Add(z, crane + "-fplc", Role::kPlc, kSiemens2, Ip(10, 50, n, 11), 30);
    const char* drives[] = {"hoist", "trolley", "gantry", "boom"};
    for (uint32_t i = 0; i < 4; ++i) {
      c.drives.push_back(b.Add(z, crane + "-vfd-" + drives[i], Role::kDrive,
                               i < 2 ? kSiemens2 : kDanfossDrives, Ip(10, 50, n, 21 + i), 64));
    }
    const uint32_t io_vendors[] = {kPhoenix, kSchneider, kRockwell};
    for (uint32_t i = 0; i < 3; ++i) {
      c.io.push_back(b.Add(z, crane + "-rio" + std::to_string(i + 1), Role::kIo, io_vendors[i],
                           Ip(10, 50, n, 31 + i), 64));
    }
    c.hmi = b.Add(z, crane + "-hmi", Role::kHmi, kSiemens, Ip(10, 50, n, 50), 128);
    c.crane_pc = b.Add(z, crane + "-cms", Role::kHmi, kDell2, Ip(10, 50, n, 51), 128);
    b.AddSwitch(z, crane + "-sw", kHirschmann, Ip(10, 50, n, 2), "1/1", kHirschmannOs, false);
    s.cranes.push_back(std::move(c));
  }
}

void BuildCamerasAndScanners(PlanBuilder& b, Scenario& s) {
  const uint16_t cams = b.AddZone("cameras", "untrusted-supplier", Ip(10, 60, 0, 0), 24, 60);
  s.nvr = b.Add(cams, "nvr1", Role::kNvr, kHikvision, Ip(10, 60, 0, 10), 64);
  const uint32_t vendors[] = {kHikvision, kHikvision2, kDahua, kAxis};
  for (uint32_t i = 0; i < 24; ++i) {
    s.cameras.push_back(b.Add(cams, Numbered("cam-", i + 1), Role::kCamera, vendors[i % 4],
                              Ip(10, 60, 0, 101 + i), 64));
  }
  b.AddSwitch(cams, "cam-sw1", kCisco, Ip(10, 60, 0, 2), "Te1/1/1", kCiscoAccess, true);

  const uint16_t scan = b.AddZone("scanners", "scanning", Ip(10, 70, 0, 0), 24, 70);
  s.scanner_server = b.Add(scan, "scan-srv1", Role::kServer, kNuctech, Ip(10, 70, 0, 10), 64);
  s.scanner = b.Add(scan, "scanner1", Role::kScanner, kNuctech, Ip(10, 70, 0, 20), 64);
  for (uint32_t i = 0; i < 2; ++i) {
    s.scanner_workstations.push_back(b.Add(scan, Numbered("scan-ws", i + 1), Role::kWorkstation,
                                           kNuctech, Ip(10, 70, 0, 21 + i), 128));
  }
  b.AddSwitch(scan, "scan-sw1", kCisco, Ip(10, 70, 0, 2), "Te1/1/1", kCiscoAccess, true);
}

void BuildInternet(PlanBuilder& b, Scenario& s) {
  s.resolvers.push_back(b.AddExternal("dns9.quad9.net", Ip(9, 9, 9, 9)));
  s.resolvers.push_back(b.AddExternal("dns.quad9.net", Ip(149, 112, 112, 112)));
  const char* names[] = {"www.example.com",
                         "login.microsoftonline.com",
                         "outlook.office365.com",
                         "ctldl.windowsupdate.com",
                         "www.msftconnecttest.com",
                         "teams.microsoft.com",
                         "www.maersk.com",
                         "www.msc.com",
                         "www.marinetraffic.com",
                         "www.cma-cgm.com",
                         "api.portcommunity.example.org",
                         "tcs.example.org",
                         "edi.carrier.example.net",
                         "weather.example.net",
                         "www.vesselfinder.com",
                         "cdn.example.net",
                         "news.example.com",
                         "sso.example.org",
                         "updates.example.net",
                         "time.example.com"};
  // Addresses from the documentation ranges (RFC 5737) only.
  const uint32_t bases[] = {Ip(203, 0, 113, 0), Ip(198, 51, 100, 0), Ip(192, 0, 2, 0)};
  for (uint32_t i = 0; i < std::size(names); ++i) {
    const uint32_t ip = bases[i % 3] + 10 + i * 7;
    s.public_names.push_back({names[i], b.AddExternal(names[i], ip)});
  }
}

// Devices added after the original plan, so that the MACs of the others stay as they were:
// the industrial and building devices that speak the protocols the plan had no place for.
void BuildIndustrialExtras(PlanBuilder& b, Scenario& s) {
  const uint16_t it = s.hosts[s.dc].zone;
  const uint16_t ops = s.hosts[s.tos_db].zone;
  // A contractor's laptop with PLC engineering software on the office network: the source
  // of the planted program change (see generators.cpp).
  s.contractor_laptop =
      b.Add(it, "ws-contractor1", Role::kEngineering, kLenovo, Ip(10, 10, 5, 20), 128);
  s.bms = b.Add(it, "bms1", Role::kServer, kVmware, Ip(10, 10, 0, 60), 128);
  s.bms_controllers.push_back(
      b.Add(it, "bms-ahu1", Role::kBmsController, kJohnsonControls, Ip(10, 10, 6, 11), 64));
  s.bms_controllers.push_back(
      b.Add(it, "bms-ahu2", Role::kBmsController, kJohnsonControls, Ip(10, 10, 6, 12), 64));
  s.bms_controllers.push_back(
      b.Add(it, "bms-light1", Role::kBmsController, kDeltaControls, Ip(10, 10, 6, 13), 64));
  // The gate house's HVAC controller sits on the operations network, read across zones.
  s.bms_controllers.push_back(
      b.Add(ops, "gatehouse-hvac1", Role::kBmsController, kDeltaControls, Ip(10, 20, 5, 11), 64));
  // The electrical network keeps to its own /24 inside terminal operations, where the
  // power SCADA lives with the terminal's other operational servers.
  s.power_scada = b.Add(ops, "power-scada1", Role::kServer, kDell, Ip(10, 20, 4, 10), 128);
  s.substation_rtu = b.Add(ops, "sub1-rtu", Role::kRtu, kSel, Ip(10, 20, 4, 20), 64);
  for (uint32_t i = 0; i < 2; ++i) {
    s.shore_power.push_back(b.Add(ops, Numbered("shorepower", i + 1, 1), Role::kRtu, kAbbAutomation,
                                  Ip(10, 20, 4, 31 + i), 64));
  }
  // Cranes 1 and 2 run their Siemens drives and Phoenix I/O on PROFINET; cranes 5 and 6
  // carry a ControlLogix for the spreader, which talks EtherNet/IP to the Rockwell I/O;
  // cranes 3 and 4 were retrofitted with an S7-1500 anti-sway controller, which their HMI
  // reads and sets over S7comm-plus.
  for (Crane& crane : s.cranes) {
    const uint32_t n = static_cast<uint32_t>(&crane - s.cranes.data()) + 1;
    crane.profinet = n <= 2;
    if (n >= 5) {
      crane.clx = b.Add(crane.zone, "sts" + std::to_string(n) + "-clx", Role::kPlc, kRockwell,
                        Ip(10, 50, n, 12), 64);
    }
    if (n == 3 || n == 4) {
      crane.sway = b.Add(crane.zone, "sts" + std::to_string(n) + "-sway", Role::kPlc, kSiemens,
                         Ip(10, 50, n, 13), 30);
    }
  }
}

// The devices and names the planted violations need (plants.cpp), after every other
// device, so that the others keep their MACs. "clean" has them too, unused, so that its
// traffic and that of "violations" are the same but for the plants.
void BuildPlantedDevices(PlanBuilder& b, Scenario& s) {
  const Crane& crane2 = s.cranes[1];
  const Crane& crane3 = s.cranes[2];
  s.rogue_laptop =
      b.Add(crane2.zone, "rogue-laptop", Role::kWorkstation, kDell, Ip(172, 16, 9, 9), 128);
  s.crane_camera =
      b.Add(crane3.zone, "sts3-cam1", Role::kCamera, kHikvision, Ip(10, 50, 3, 60), 64);
  // The first engineering workstation of crane management, with a second address on the
  // office network over the same NIC (a tagged VLAN): one MAC in two zones.
  const uint16_t it = s.hosts[s.dc].zone;
  s.dual_homed = b.Add(it, "eng-ws1-office", Role::kEngineering, kLenovo, Ip(10, 10, 5, 41), 128);
  s.hosts[s.dual_homed].mac = s.hosts[s.engineering[0]].mac;
  for (uint32_t h : {s.rogue_laptop, s.crane_camera, s.dual_homed}) s.hosts[h].planted = true;
  s.watched = PublicName{"api.logink.cn", b.AddExternal("api.logink.cn", Ip(198, 51, 100, 200))};
  s.share = PublicName{"files.share.example.net",
                       b.AddExternal("files.share.example.net", Ip(192, 0, 2, 200))};
  s.relay =
      PublicName{"relay.splashtop.com", b.AddExternal("relay.splashtop.com", Ip(203, 0, 113, 80))};
  s.vendor_vpn = PublicName{"vpn.cranemaker.example",
                            b.AddExternal("vpn.cranemaker.example", Ip(203, 0, 113, 90))};
}

}  // namespace

std::string Ipv4Text(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string(ip >> 16 & 0xff) + "." +
         std::to_string(ip >> 8 & 0xff) + "." + std::to_string(ip & 0xff);
}

std::vector<std::string> ScenarioNames() { return {"terminal", "clean", "violations"}; }

core::Result<Scenario> BuildScenario(const std::string& name) {
  if (name != "terminal" && name != "clean" && name != "violations") {
    return core::MakeError("simulate: unknown scenario '" + name +
                           "' (known: terminal, clean, violations)");
  }
  Scenario s;
  s.domain = "terminal.example";
  PlanBuilder b(s);
  BuildBusinessIt(b, s);
  BuildOperations(b, s);
  BuildCraneManagement(b, s);
  BuildCranes(b, s);
  BuildCamerasAndScanners(b, s);
  BuildInternet(b, s);
  BuildIndustrialExtras(b, s);
  if (name != "terminal") BuildPlantedDevices(b, s);
  return s;
}

core::Result<std::vector<SimZone>> ScenarioZones(const std::string& scenario) {
  auto built = BuildScenario(scenario);
  if (!built.ok()) return built.error();
  std::vector<SimZone> zones;
  for (const Zone& zone : built->zones) zones.push_back(zone.plan);
  return zones;
}

}  // namespace qw::simulate
