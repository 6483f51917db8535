// The planted violations of the "violations" scenario: what each one does on the wire, the
// findings it must raise under the scenario's policy, and that policy itself.
//
// The plants run in an engine of their own (Traffic::kPlants, its own random stream) whose
// frames are merged by time into the regular traffic of "clean": the regular frames of
// "violations" are those of "clean" with the same seed and packets, so a baseline learnt
// from "clean" vouches for all of "violations" but the plants.
#include "simulate/plants.h"

#include <algorithm>
#include <string_view>

#include "policy/policy.h"
#include "simulate/engine.h"
#include "simulate/ics_payloads.h"
#include "simulate/payloads.h"

namespace qw::simulate {

namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kSec = 1000 * kMs;

// What each plant is; the order is the order they start in.
enum Plant : uint32_t {
  kOfficeProgramChange,
  kOpsModbusWrite,
  kOfficeSshIntoCrane,
  kOfficeTftpIntoCrane,
  kOpsLooksUpLogink,
  kOpsSharesDataOutside,
  kRogueLaptop,
  kCameraOnCraneVlan,
  kDualHomedWorkstation,
  kCraneOnVendorRelay,
  kCraneVpnToVendor,
  kPlantCount,
};

std::string IpText(const Scenario& sc, uint32_t host) { return Ipv4Text(sc.hosts[host].ip); }

// A conduit's service list with each named service's usual ports beside it ("modbus,
// tcp/502"), as a careful site engineer writes it: a flow cut off before its first payload
// (at the capture's start or end) is recognised by its port only.
std::string WithPorts(std::string_view names) {
  std::vector<std::string> out;
  auto add = [&](std::string v) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  };
  while (!names.empty()) {
    const size_t comma = names.find(", ");
    const std::string_view name = names.substr(0, comma);
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 2);
    add(std::string(name));
    for (const auto& known : policy::KnownServices()) {
      if (name != known.name) continue;
      const std::string_view ports = known.ports;
      for (size_t at = 0; at < ports.size();) {
        const size_t slash = ports.find('/', at);
        if (slash == std::string_view::npos || slash < 3) break;
        size_t end = slash + 1;
        while (end < ports.size() && ports[end] >= '0' && ports[end] <= '9') ++end;
        const std::string_view transport = ports.substr(slash - 3, 3);
        if ((transport == "tcp" || transport == "udp") && end > slash + 1) {
          add(std::string(ports.substr(slash - 3, end - slash + 3)));
        }
        at = end;
      }
    }
  }
  std::string text;
  for (const auto& v : out) text += (text.empty() ? "" : ", ") + v;
  return text;
}

// The host of the switch on a crane's control network.
uint32_t CraneSwitch(const Scenario& sc, const Crane& crane) {
  for (const auto& s : sc.switches) {
    if (sc.hosts[s.host].zone == crane.zone) return s.host;
  }
  return crane.hmi;
}

}  // namespace

uint32_t Engine::Planted(uint32_t session, uint32_t plant) {
  sessions_[session].plant = static_cast<uint8_t>(plant + 1);
  return session;
}

uint32_t Engine::PlantTcp(uint32_t plant, App app, uint32_t client, uint32_t server, uint16_t port,
                          uint32_t rounds, int64_t think_ns) {
  const uint32_t sid = Planted(StartTcp(app, client, server, port, rounds, think_ns, 0), plant);
  sessions_[sid].close = Close::kClientFin;
  return sid;
}

void Engine::AddPlantSources() {
  expected_ = static_cast<int64_t>(options_.packets) * kSec / profile_.nominal_pps;
  // From a tenth of the capture on, six hundredths apart: inside even a short capture.
  for (uint32_t p = 0; p < kPlantCount; ++p) {
    AddSource(SourceKind::kPlant, p, 1000000 * kSec, true,
              std::max<int64_t>(expected_ * (10 + 6 * p) / 100, 100 * kMs * (p + 1)));
  }
}

void Engine::RunPlant(uint32_t plant) {
  const Crane& crane1 = sc_.cranes[0];
  const Crane& crane2 = sc_.cranes[1];
  const Crane& crane3 = sc_.cranes[2];
  switch (plant) {
    case kOfficeProgramChange: {
      // The contractor's laptop stops crane 1's PLC, downloads OB1 and restarts it.
      const uint32_t sid = PlantTcp(plant, App::kS7, sc_.contractor_laptop, crane1.plc, 102, 10, 0);
      sessions_[sid].variant = kS7Program;
      sessions_[sid].reply_ns = rng_.Between(2000, 6000) * 1000;
      return;
    }
    case kOpsModbusWrite: {
      // An operations workstation polls crane 2's PLC as its HMI would, writing a register
      // in round 13.
      const uint32_t sid =
          PlantTcp(plant, App::kModbus, sc_.ops_workstations[0], crane2.plc, 502, 15, 150 * kMs);
      sessions_[sid].variant = kModbusHmi;
      return;
    }
    case kOfficeSshIntoCrane: {
      PlantTcp(plant, App::kSsh, sc_.it_workstations[0], crane3.hmi, 22, 4, 800 * kMs);
      return;
    }
    case kOfficeTftpIntoCrane: {
      // An office PC writes a file to crane 4's switch over TFTP.
      const uint32_t sid = Planted(
          NewSession(App::kTftp, sc_.it_workstations[1], CraneSwitch(sc_, sc_.cranes[3]), 69),
          plant);
      sessions_[sid].counter = 49152 + rng_.Below(16000);
      StartSession(sid, 0);
      return;
    }
    case kOpsLooksUpLogink: {
      // A gate lane's OCR server asks the office resolver for a LOGINK name, which the
      // resolver forwards to a public one.
      const uint32_t sid = Planted(NewSession(App::kDns, sc_.gate_ocr[0], sc_.dns, 53), plant);
      Session& s = sessions_[sid];
      s.name = &sc_.watched.name;
      s.remaining = sc_.hosts[sc_.watched.host].ip;
      s.rtt_ns = 0;
      s.upstream = sc_.resolvers[0] + 1;
      s.seq[0] = EphemeralPort(sc_.dns);
      StartSession(sid, 0);
      return;
    }
    case kOpsSharesDataOutside: {
      // The terminal operating system uploads to a file-sharing site no contract names.
      const uint32_t sid =
          PlantTcp(plant, App::kTls, sc_.tos_app[1], sc_.share.host, 443, 3, 300 * kMs);
      sessions_[sid].name = &sc_.share.name;
      return;
    }
    case kRogueLaptop: {
      // A laptop plugged into crane 2's switch, addressed outside every zone, browses the
      // HMI's web server.
      PlantTcp(plant, App::kHttp, sc_.rogue_laptop, crane2.hmi, 80, 1, 0);
      return;
    }
    case kCameraOnCraneVlan: {
      // A camera on crane 3's control VLAN, watched from the crane's HMI.
      PlantTcp(plant, App::kRtsp, crane3.hmi, sc_.crane_camera, 554, 2, 200 * kMs);
      return;
    }
    case kDualHomedWorkstation: {
      // The engineering workstation reaches the intranet from its office address.
      PlantTcp(plant, App::kHttp, sc_.dual_homed, sc_.intranet, 8080, 1, 0);
      return;
    }
    case kCraneOnVendorRelay: {
      // Crane 1's HMI keeps a remote-support client signed in to its platform's relay, through
      // which the supplier can take the HMI over from outside.
      const uint32_t sid =
          PlantTcp(plant, App::kTls, crane1.hmi, sc_.relay.host, 443, 3, 400 * kMs);
      sessions_[sid].name = &sc_.relay.name;
      return;
    }
    case kCraneVpnToVendor: {
      // Crane 2's PC brings up an IPsec tunnel to the crane maker's VPN gateway: IKEv1
      // aggressive mode with XAUTH, which names the service user in clear and uses a
      // 1024-bit group.
      const uint32_t sid =
          Planted(NewSession(App::kIke, crane2.crane_pc, sc_.vendor_vpn.host, 500), plant);
      sessions_[sid].fill = rng_.Next() | 1;  // the initiator's cookie, never zero
      StartSession(sid, 0);
      return;
    }
    default:
      return;
  }
}

std::vector<PlantedViolation> DescribePlants(const Scenario& sc, const PlantFrames& at) {
  std::vector<PlantedViolation> out;
  const Crane& crane1 = sc.cranes[0];
  const Crane& crane2 = sc.cranes[1];
  const Crane& crane3 = sc.cranes[2];
  auto begin = [&](uint32_t plant, const char* name, const char* description) {
    PlantedViolation& v = out.emplace_back();
    v.name = name;
    v.description = description;
    v.first_frame = at.First(plant);
    v.last_frame = at.Last(plant);
    return plant;
  };
  auto finding = [&](const char* type, std::string src, std::string dst, uint64_t frame) {
    out.back().findings.push_back({type, std::move(src), std::move(dst), frame});
  };
  auto comm = [&](std::string i, std::string r, const char* service, const char* category,
                  uint64_t frame) {
    out.back().communications.push_back({std::move(i), std::move(r), service, category, frame});
  };
  {
    const uint32_t p = begin(kOfficeProgramChange, "office-plc-program-change",
                             "an office laptop stops crane 1's PLC, downloads OB1 and restarts it");
    const std::string pg = IpText(sc, sc.contractor_laptop), plc = IpText(sc, crane1.plc);
    finding("segmentation.unallowed_flow", pg, plc, at.First(p));
    // The S7 jobs by round (s7_payload.cpp): 3 stop, 4 request download and the PLC's
    // first download block, 5 and 6 its next ones (folded into the first's finding), 7 the
    // PLC's download ended, 8 PI _INSE, 9 PI restart.
    finding("ics.controller_state", pg, plc, at.Message(p, 3, 0, 0));
    finding("ics.controller_state", pg, plc, at.Message(p, 9, 0, 0));
    finding("ics.program_change", pg, plc, at.Message(p, 4, 0, 0));
    finding("ics.program_change", pg, plc, at.Message(p, 4, 1, 1));
    finding("ics.program_change", pg, plc, at.Message(p, 7, 1, 0));
    finding("ics.program_change", pg, plc, at.Message(p, 8, 0, 1));
    comm(pg, plc, "s7comm", "", at.First(p));
    comm(pg, plc, "s7comm", "controller-state", at.Message(p, 3, 0, 0));
    comm(pg, plc, "s7comm", "program-change", at.Message(p, 4, 0, 0));
  }
  {
    const uint32_t p = begin(kOpsModbusWrite, "ops-modbus-write",
                             "an operations workstation writes a register of crane 2's PLC");
    const std::string ws = IpText(sc, sc.ops_workstations[0]), plc = IpText(sc, crane2.plc);
    finding("segmentation.unallowed_flow", ws, plc, at.First(p));
    finding("ics.write", ws, plc, at.Message(p, 13, 0, 0));
    comm(ws, plc, "modbus", "", at.First(p));
    comm(ws, plc, "modbus", "write", at.Message(p, 13, 0, 0));
  }
  {
    const uint32_t p = begin(kOfficeSshIntoCrane, "office-ssh-into-crane",
                             "an office PC opens SSH to crane 3's HMI");
    const std::string ws = IpText(sc, sc.it_workstations[0]), hmi = IpText(sc, crane3.hmi);
    finding("segmentation.unallowed_flow", ws, hmi, at.First(p));
    // The tool shows in the first banner, whichever side sends it.
    finding("remote_access.unapproved", ws, hmi,
            std::min(at.Message(p, 0, 0, 0), at.Message(p, 0, 1, 0)));
    comm(ws, hmi, "ssh", "", at.First(p));
  }
  {
    const uint32_t p = begin(kOfficeTftpIntoCrane, "office-tftp-into-crane",
                             "an office PC writes a file to crane 4's switch over TFTP");
    const std::string ws = IpText(sc, sc.it_workstations[1]);
    const std::string target = IpText(sc, CraneSwitch(sc, sc.cranes[3]));
    finding("segmentation.unallowed_flow", ws, target, at.First(p));
    finding("file_transfer.unapproved", ws, target, at.First(p));
    comm(ws, target, "tftp", "", at.First(p));
  }
  {
    const uint32_t p = begin(kOpsLooksUpLogink, "ops-looks-up-logink",
                             "a gate lane's OCR server looks up a LOGINK name");
    const std::string ocr = IpText(sc, sc.gate_ocr[0]), dns = IpText(sc, sc.dns);
    const std::string upstream = IpText(sc, sc.resolvers[0]);
    finding("watchlist.contact", ocr, dns, at.Message(p, 0, 0, 0));
    finding("watchlist.contact", dns, upstream, at.Message(p, 1, 0, 0));
    comm(ocr, dns, "dns", "", at.Message(p, 0, 0, 0));
    comm(dns, "external", "dns", "", at.Message(p, 1, 0, 0));
  }
  {
    const uint32_t p = begin(kOpsSharesDataOutside, "ops-shares-data-outside",
                             "the terminal operating system uploads to a file-sharing site");
    const std::string tos = IpText(sc, sc.tos_app[1]), site = IpText(sc, sc.share.host);
    finding("data_sharing.unlisted", tos, site, at.First(p));
    comm(tos, "external", "tls", "", at.First(p));
  }
  {
    const uint32_t p = begin(kRogueLaptop, "rogue-laptop",
                             "a laptop on crane 2's VLAN with an address no zone holds");
    const std::string laptop = IpText(sc, sc.rogue_laptop);
    finding("segmentation.unassigned_address", laptop, "", at.First(p));
    out.back().new_devices.push_back(sc.hosts[sc.rogue_laptop].mac.ToString());
    comm(laptop, IpText(sc, crane2.hmi), "http", "", at.First(p));
  }
  {
    const uint32_t p = begin(kCameraOnCraneVlan, "camera-on-crane-vlan",
                             "a Hikvision camera on crane 3's control VLAN");
    const std::string cam = IpText(sc, sc.crane_camera);
    finding("supplier.untrusted_device", cam, "", at.First(p));
    finding("supplier.untrusted_not_isolated", cam, "", at.First(p));
    finding("segmentation.mixed_vlan", cam, "", at.First(p));
    out.back().new_devices.push_back(sc.hosts[sc.crane_camera].mac.ToString());
    comm(IpText(sc, crane3.hmi), cam, "rtsp", "", at.First(p));
  }
  {
    const uint32_t p = begin(kDualHomedWorkstation, "dual-homed-workstation",
                             "crane management's engineering workstation also holds an office "
                             "address");
    const std::string office = IpText(sc, sc.dual_homed);
    finding("segmentation.multi_homed_host", office, "", at.First(p));
    comm(office, IpText(sc, sc.intranet), "http", "", at.First(p));
  }
  {
    const uint32_t p = begin(kCraneOnVendorRelay, "crane-on-vendor-relay",
                             "crane 1's HMI signs in to a remote-support platform's relay");
    const std::string hmi = IpText(sc, crane1.hmi), relay = IpText(sc, sc.relay.host);
    finding("segmentation.unallowed_flow", hmi, relay, at.First(p));
    // The platform shows in the server name of the ClientHello.
    finding("remote_access.unapproved", hmi, relay, at.Message(p, 0, 0, 0));
    comm(hmi, "external", "tls", "", at.First(p));
  }
  {
    const uint32_t p = begin(kCraneVpnToVendor, "crane-vpn-to-vendor",
                             "crane 2's PC brings up an IPsec tunnel to the crane maker's VPN "
                             "gateway");
    const std::string pc = IpText(sc, crane2.crane_pc), gateway = IpText(sc, sc.vendor_vpn.host);
    finding("segmentation.unallowed_flow", pc, gateway, at.First(p));
    // A VPN client is reached from its gateway's side: the session is access from outside.
    finding("remote_access.unapproved", pc, gateway, at.First(p));
    comm(pc, "external", "ike", "", at.First(p));
  }
  return out;
}

std::string PlantPolicy(const Scenario& sc) {
  std::string y;
  y += "# The site policy of quaywatch's simulated terminal (quaywatch simulate --policy-out).\n";
  y += "# Its regular traffic is all allowed here; what the \"violations\" scenario plants\n";
  y += "# is not.\n";
  y += "site: \"Simulated container terminal (quaywatch simulate)\"\n\nzones:\n";
  for (const Zone& z : sc.zones) {
    // Scanners are an untrusted supplier's devices, kept in a zone for them.
    const std::string kind = z.plan.name == "scanners" ? "untrusted-supplier" : z.plan.kind;
    y += "  - {name: " + z.plan.name + ", kind: " + kind + ", subnets: [" + z.plan.subnet +
         "], vlans: [" + std::to_string(z.plan.vlan) + "]}\n";
  }
  y += "\nconduits:\n";
  auto conduit = [&](const std::string& from, const std::string& to, const std::string& services,
                     const std::string& allow, const std::string& purpose) {
    y += "  - {from: " + from + ", to: " + to + ", services: [" + WithPorts(services) + "]" +
         (allow.empty() ? "" : ", allow: [" + allow + "]") + ", purpose: \"" + purpose + "\"}\n";
  };
  for (const Crane& c : sc.cranes) {
    const std::string crane = sc.zones[c.zone].plan.name;
    conduit("rcms", crane, "s7comm, s7comm-plus, modbus, opcua, enip, snmp, ssh, rdp, vnc",
            "writes, program-changes, remote-access",
            "PLC diagnostics, program maintenance and remote support from crane management");
    conduit(crane, "rcms", "ntp, syslog, snmp, tftp, ftp", "file-transfer",
            "time, logs, traps, switch configuration and drive parameter backups");
  }
  conduit("terminal-ops", "crane-1", "opcua", "writes", "job lists to the crane (TOS integration)");
  conduit("terminal-ops", "rcms", "opcua, syslog", "", "TOS reads of the historian; switch logs");
  conduit("rcms", "terminal-ops", "snmp", "", "switch monitoring");
  conduit("business-it", "terminal-ops", "http, tls, bacnet", "",
          "office access to terminal applications; building management");
  conduit("business-it", "rcms", "syslog", "", "switch logs");
  conduit("business-it", "external", "http, tls, dns, ntp", "", "web, mail, updates, time");
  conduit("terminal-ops", "business-it", "dns, ntp, http, tls", "", "names, time, intranet");
  conduit("terminal-ops", "external", "tls", "", "port community system");
  conduit("rcms", "business-it", "dns, ntp, syslog, snmp", "", "names, time, logs, monitoring");
  conduit("scanners", "terminal-ops", "tls", "", "scan verdicts to the TOS");
  conduit("scanners", "rcms", "syslog", "", "switch logs");
  conduit("rcms", "scanners", "snmp", "", "switch monitoring");
  conduit("cameras", "rcms", "syslog", "", "switch logs");
  conduit("rcms", "cameras", "snmp", "", "switch monitoring");
  y += "\nsuppliers:\n  untrusted: [Nuctech, Hikvision, Dahua, ZPMC, Huawei]\n";
  y += "\nwatchlist:\n  - {label: LOGINK, domains: [\"logink.cn\", \"*.logink.cn\"]}\n";
  y += "\ndata_sharing:\n";
  y += "  - party: \"Port community system\"\n";
  y += "    endpoints: [\"api.portcommunity.example.org\", \"tcs.example.org\"]\n";
  y += "    from_zones: [terminal-ops]\n";
  return y;
}

}  // namespace qw::simulate
