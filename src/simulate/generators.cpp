// Traffic sources of the engine: which sessions start, between whom, and how often. Each
// source kind is one small function; a scenario adds sources with their rates in
// AddSources() and long-lived sessions (polling, streams, database pools) in
// StartLongLived().
#include <algorithm>

#include "simulate/engine.h"
#include "simulate/ics_payloads.h"
#include "simulate/payloads.h"

namespace qw::simulate {
namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kSec = 1000 * kMs;

template <typename T>
const T& Pick(Rng& rng, const std::vector<T>& items) {
  return items[rng.Below(static_cast<uint32_t>(items.size()))];
}

// "mixed": the terminal as it is, industrial protocols a large minority of the frames.
// "ics": the same network with the office quiet and the control networks busy (faster
// polling, PROFINET and CIP I/O at realistic cycles), for benchmarks of the dissectors.
const Profile kMixed{};
const Profile kIcs{
    .nominal_pps = 3000,
    .it_interval = 10.0,
    .camera_streams = 2,
    .s7_hmi_ms = 50,
    .s7_monitor_ms = 500,
    .modbus_hmi_ms = 200,
    .modbus_field_ms = 100,
    .historian_ms = 500,
    .enip_hmi_ms = 100,
    .pn_cycle_us = 16000,
    .cip_rpi_us = 20000,
    .dnp3_ms = 100,
    .iec104_ms = 50,
    .bacnet_ms = 700,
    .opcua_tos_s = 10,
};

}  // namespace

const Profile* FindProfile(const std::string& name) {
  if (name == "mixed") return &kMixed;
  if (name == "ics") return &kIcs;
  return nullptr;
}

void Engine::AddSource(SourceKind kind, uint32_t arg, int64_t mean_ns, bool periodic,
                       int64_t first) {
  // Sources are already running when the capture starts: a random source first fires at
  // some moment of its mean interval, not all of them at once at the first instant; within
  // the first third of the capture, so that short captures still show every kind.
  if (!periodic && first == 0) first = rng_.Between(0, std::min(mean_ns, expected_ / 3));
  sources_.push_back(Source{kind, arg, mean_ns, periodic, 0});
  Schedule(first, EventKind::kSource, static_cast<uint32_t>(sources_.size() - 1));
}

void Engine::AddSources() {
  // Hosts announce themselves within the first stretch of the capture, scaled so that a
  // short capture still shows every host.
  const int64_t expected = static_cast<int64_t>(options_.packets) * kSec / profile_.nominal_pps;
  expected_ = expected;
  const int64_t arp_window = std::clamp<int64_t>(expected / 3, kSec, 90 * kSec);
  for (uint32_t h = 0; h < sc_.hosts.size(); ++h) {
    if (sc_.hosts[h].zone == kExternalZone || sc_.hosts[h].role == Role::kRouter) continue;
    if (sc_.hosts[h].planted) continue;  // appears only in its planted violation
    AddSource(SourceKind::kArp, h, 240 * kSec, true, rng_.Between(0, arp_window));
  }
  for (uint32_t i = 0; i < sc_.switches.size(); ++i) {
    AddSource(SourceKind::kLldp, i, 30 * kSec, true,
              rng_.Between(0, std::min(arp_window, 30 * kSec)));
  }
  // Office, web and terminal-operations traffic, thinned out by the "ics" profile.
  const auto it = [&](int64_t mean) {
    return static_cast<int64_t>(static_cast<double>(mean) * profile_.it_interval);
  };
  AddSource(SourceKind::kWeb, 0, it(180 * kMs), false, 0);
  AddSource(SourceKind::kInternalWeb, 0, it(700 * kMs), false, 0);
  AddSource(SourceKind::kFileShare, 0, it(6 * kSec), false, 0);
  AddSource(SourceKind::kDnsInternal, 0, it(70 * kMs), false, 0);
  AddSource(SourceKind::kDhcp, 0, it(15 * kSec), false, 0);
  AddSource(SourceKind::kNtp, 0, it(150 * kMs), false, 0);
  AddSource(SourceKind::kOpsApi, 0, it(1200 * kMs), false, 0);
  for (uint32_t lane : sc_.gate_ocr) {
    AddSource(SourceKind::kGateOcr, lane, it(25 * kSec), false, 0);
  }
  for (uint32_t gw : sc_.reefer) {
    AddSource(SourceKind::kReefer, gw, 60 * kSec, true, rng_.Between(0, 60 * kSec));
  }
  AddSource(SourceKind::kRemoteAccess, 0, 90 * kSec, false, rng_.Between(0, 1 * kSec));
  AddSource(SourceKind::kScannerImages, 0, it(40 * kSec), false, rng_.Between(0, 10 * kSec));
  // Industrial and building discovery and polling (ics_generators.cpp). The first rounds
  // come early, so that short captures show them.
  for (uint32_t i = 0; i < sc_.cranes.size(); ++i) {
    if (sc_.cranes[i].profinet) {
      AddSource(SourceKind::kPnIdentify, i, 60 * kSec, true,
                rng_.Between(200, 3000) * kMs + i * 5 * kSec);
    }
    if (sc_.cranes[i].clx != kNoHost) {
      AddSource(SourceKind::kEnipIdentify, i, 90 * kSec, true, rng_.Between(500, 4000) * kMs);
    }
  }
  AddSource(SourceKind::kBacnetWhoIs, 0, 120 * kSec, true, rng_.Between(100, 3000) * kMs);
  AddSource(SourceKind::kBacnetPoll, 0, profile_.bacnet_ms * kMs, false, 0);
  AddSource(SourceKind::kOpcUaTos, 0, profile_.opcua_tos_s * kSec, false,
            rng_.Between(0, 2000) * kMs);
  // Crane management watches the switches: SNMP polls, syslog, and one configuration
  // backup over TFTP a little into the capture.
  AddSource(SourceKind::kSnmpPoll, 0, it(3 * kSec), false, 0);
  AddSource(SourceKind::kSyslog, 0, it(2 * kSec), false, 0);
  AddSource(SourceKind::kTftpBackup, 0, 1000000 * kSec, true,
            std::clamp<int64_t>(expected / 6, 1 * kSec, 90 * kSec));
  // Crane management looks at a crane HMI's panel over VNC (operator panels serve it).
  AddSource(SourceKind::kHmiVnc, 0, 120 * kSec, false, 0);
  // Crane PCs back their drives' parameter sets up to crane management over FTP.
  AddSource(SourceKind::kDriveBackup, 0, 150 * kSec, false, 0);
  // The planted program change: once, a quarter into the capture (2 s to 2 min in).
  if (traffic_ == Traffic::kTerminal) {
    AddSource(SourceKind::kProgramChange, 0, 1000000 * kSec, true,
              std::clamp<int64_t>(expected / 4, 2 * kSec, 120 * kSec));
  }
}

void Engine::RunSource(uint32_t id) {
  Source& src = sources_[id];
  const SourceKind kind = src.kind;
  const uint32_t arg = src.arg;
  const uint32_t run = src.runs++;
  const int64_t next = src.periodic
                           ? src.mean_ns + rng_.Between(-src.mean_ns / 20, src.mean_ns / 20)
                           : rng_.Exponential(src.mean_ns);
  Schedule(now_ + next, EventKind::kSource, id);
  switch (kind) {
    case SourceKind::kLldp:
      Lldp(arg, run % 2 == 0);
      return;
    case SourceKind::kArp: {
      const Host& host = sc_.hosts[arg];
      const uint32_t router = sc_.zones[host.zone].router;
      uint32_t sid;
      if (run == 0 && rng_.Chance(0.3)) {  // coming up: gratuitous ARP
        sid = NewSession(App::kArp, arg, arg, 0);
        sessions_[sid].variant = 1;
      } else if (rng_.Chance(0.5)) {
        sid = NewSession(App::kArp, arg, router, 0);
      } else {
        sid = NewSession(App::kArp, router, arg, 0);
      }
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kWeb: {
      const uint32_t ws = Pick(rng_, sc_.it_workstations);
      const PublicName& site =
          sc_.public_names[rng_.Below(static_cast<uint32_t>(sc_.public_names.size()))];
      if (rng_.Chance(0.2)) {  // plain HTTP through the proxy, which resolves and fetches
        const uint32_t inner =
            StartTcp(App::kHttp, ws, sc_.proxy, 8080, 1 + rng_.Below(3), 200 * kMs, 0);
        sessions_[inner].variant = kHttpProxy;
        sessions_[inner].name = &site.name;
        const uint32_t outer = NewSession(App::kHttp, sc_.proxy, site.host, 80);
        sessions_[outer].name = &site.name;
        sessions_[outer].rounds = 1 + rng_.Below(3);
        StartDns(sc_.proxy, &site.name, sc_.hosts[site.host].ip, outer + 1);
        return;
      }
      const uint32_t tls = NewSession(App::kTls, ws, site.host, 443);
      Session& s = sessions_[tls];
      s.name = &site.name;
      s.rounds = 2 + rng_.Below(4);
      s.think_ns = rng_.Between(50, 3000) * kMs;
      if (rng_.Chance(0.04)) s.close = Close::kClientReset;
      StartDns(ws, &site.name, sc_.hosts[site.host].ip, tls + 1);
      return;
    }
    case SourceKind::kInternalWeb: {
      const uint32_t ws = Pick(rng_, sc_.it_workstations);
      const uint32_t pick = rng_.Below(3);
      const uint32_t server = pick == 0 ? sc_.intranet : pick == 1 ? sc_.mail : sc_.tos_app[0];
      // One draw per statement: argument evaluation order differs between compilers.
      const App app = rng_.Chance(0.3) && pick == 0 ? App::kHttp : App::kTls;
      const uint32_t rounds = 2 + rng_.Below(3);
      const int64_t think = rng_.Between(100, 2000) * kMs;
      const uint32_t sid = StartTcp(app, ws, server, 443, rounds, think, 0);
      Session& s = sessions_[sid];
      if (s.app == App::kHttp) s.port[1] = 80;
      static const std::string kNames[] = {"intranet.terminal.example", "mail.terminal.example",
                                           "tos.terminal.example"};
      s.name = &kNames[pick];
      if (rng_.Chance(0.03)) s.close = Close::kServerReset;
      return;
    }
    case SourceKind::kFileShare: {
      const uint32_t ws = Pick(rng_, sc_.it_workstations);
      const uint32_t sid = NewSession(App::kSmb, ws, sc_.file_server, 445);
      Session& s = sessions_[sid];
      s.remaining = 16384 + rng_.Below(400000);
      // A tree connect and a create, then the reads.
      s.rounds = 2 + static_cast<uint32_t>((s.remaining + 65535) / 65536);
      s.reply_ns = rng_.Between(100, 600) * 1000;
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kDnsInternal: {
      static const std::string kNames[] = {
          "intranet.terminal.example", "mail.terminal.example",    "fs1.terminal.example",
          "tos.terminal.example",      "dc1.terminal.example",     "proxy1.terminal.example",
          "wpad.terminal.example",     "printer3.terminal.example"};
      const bool ops = rng_.Chance(0.2);
      const uint32_t client =
          ops ? Pick(rng_, sc_.ops_workstations) : Pick(rng_, sc_.it_workstations);
      const uint32_t i = rng_.Below(static_cast<uint32_t>(std::size(kNames)));
      const uint32_t targets[] = {sc_.intranet,   sc_.mail, sc_.file_server,
                                  sc_.tos_app[0], sc_.dc,   sc_.proxy};
      StartDns(client, &kNames[i], i < std::size(targets) ? sc_.hosts[targets[i]].ip : 0, 0);
      return;
    }
    case SourceKind::kDhcp: {
      const uint32_t ws = Pick(rng_, sc_.it_workstations);
      const uint32_t sid = NewSession(App::kDhcp, ws, sc_.dhcp, 67);
      sessions_[sid].variant = rng_.Chance(0.8) ? 1 : 0;
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kNtp: {
      const uint32_t pick = rng_.Below(4);
      uint32_t client, server;
      if (pick == 0) {
        const Crane& crane = Pick(rng_, sc_.cranes);
        client = rng_.Chance(0.5) ? crane.hmi : crane.crane_pc;
        server = sc_.rcms[0];
      } else {
        client = pick == 1 ? Pick(rng_, sc_.ops_workstations) : Pick(rng_, sc_.it_workstations);
        server = sc_.dc;
      }
      const uint32_t sid = NewSession(App::kNtp, client, server, 123);
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kOpsApi: {
      const uint32_t ws = Pick(rng_, sc_.ops_workstations);
      const uint32_t server = Pick(rng_, sc_.tos_app);
      const uint32_t rounds = 1 + rng_.Below(4);
      const int64_t think = rng_.Between(200, 4000) * kMs;
      const uint32_t sid = StartTcp(App::kHttp, ws, server, 8080, rounds, think, 0);
      sessions_[sid].variant = kHttpApi;
      return;
    }
    case SourceKind::kGateOcr:
    case SourceKind::kReefer: {
      const uint32_t sid = StartTcp(App::kHttp, arg, sc_.tos_app[0], 8080, 1, 0, 0);
      sessions_[sid].variant = kind == SourceKind::kGateOcr ? kHttpGateOcr : kHttpReefer;
      return;
    }
    case SourceKind::kRemoteAccess: {
      // SSH and RDP in turn; the first time both, so that short captures show both.
      for (const bool rdp : {run % 2 == 1, true}) {
        const uint32_t eng = Pick(rng_, sc_.engineering);
        const Crane& crane = Pick(rng_, sc_.cranes);
        const uint32_t rounds = 10 + rng_.Below(80);
        const int64_t think = rng_.Between(200, 2500) * kMs;
        StartTcp(rdp ? App::kRdp : App::kSsh, eng, rdp ? crane.crane_pc : crane.hmi,
                 rdp ? 3389 : 22, rounds, think, rdp && run == 0 ? rng_.Between(1, 20) * kSec : 0);
        if (run != 0) break;
      }
      return;
    }
    case SourceKind::kHmiVnc: {
      const Crane& crane = Pick(rng_, sc_.cranes);
      const uint32_t viewer = Pick(rng_, sc_.engineering);
      StartTcp(App::kVnc, viewer, crane.hmi, 5900, 8 + rng_.Below(40),
               rng_.Between(100, 1500) * kMs, 0);
      return;
    }
    case SourceKind::kDriveBackup: {
      const auto index =
          static_cast<uint32_t>(rng_.Below(static_cast<uint32_t>(sc_.cranes.size())));
      const Crane& crane = sc_.cranes[index];
      const uint32_t sid = StartTcp(App::kFtp, crane.crane_pc, sc_.rcms[0], 21, kFtpRounds,
                                    rng_.Between(1, 3) * kSec, 0);
      Session& s = sessions_[sid];
      s.close = Close::kClientFin;
      s.variant = static_cast<uint8_t>(index);
      // The passive port the server will announce, then the size of the file.
      const auto port = static_cast<uint16_t>(30000 + rng_.Below(10000));
      const uint32_t size = 20000 + rng_.Below(400000);
      s.remaining = FtpPlan(port, size);
      s.counter = static_cast<uint32_t>(run);
      return;
    }
    case SourceKind::kScannerImages: {
      const uint32_t sid = NewSession(App::kBulk, sc_.scanner, sc_.scanner_server, 8800);
      sessions_[sid].remaining = 400000 + rng_.Below(1200000);
      StartSession(sid, 0);
      // The verdict goes to the terminal operating system.
      StartTcp(App::kTls, sc_.scanner_server, sc_.tos_app[1], 443, 2, 100 * kMs,
               rng_.Between(2, 8) * kSec);
      return;
    }
    case SourceKind::kSnmpPoll: {
      const auto sw = static_cast<uint32_t>(rng_.Below(static_cast<uint32_t>(sc_.switches.size())));
      const uint32_t sid = NewSession(App::kSnmp, sc_.rcms[1], sc_.switches[sw].host, 161);
      sessions_[sid].remaining = sw;
      sessions_[sid].counter = static_cast<uint32_t>(rng_.Next() & 0x7fffffff);
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kSyslog: {
      const auto sw = static_cast<uint32_t>(rng_.Below(static_cast<uint32_t>(sc_.switches.size())));
      const uint32_t sid = NewSession(App::kSyslog, sc_.switches[sw].host, sc_.rcms[0], 514);
      sessions_[sid].counter = static_cast<uint32_t>(rng_.Below(1000));
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kTftpBackup: {
      // The switch of the first crane's control network.
      uint32_t sw = 0;
      const uint16_t crane_zone = sc_.hosts[sc_.cranes[0].plc].zone;
      for (uint32_t i = 0; i < sc_.switches.size(); ++i) {
        if (sc_.hosts[sc_.switches[i].host].zone == crane_zone) {
          sw = i;
          break;
        }
      }
      const uint32_t sid = NewSession(App::kTftp, sc_.switches[sw].host, sc_.rcms[0], 69);
      sessions_[sid].counter = 49152 + rng_.Below(16000);
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kDbQueries:
      return;
    case SourceKind::kPlant:
      if (run == 0) RunPlant(arg);
      return;
    default:
      RunIcsSource(kind, arg, run);
      return;
  }
}

void Engine::StartLongLived() {
  constexpr uint32_t kForever = 0xffffffff;
  const Profile& p = profile_;
  for (const Crane& crane : sc_.cranes) {
    Poll(App::kS7, crane.hmi, crane.plc, 102, p.s7_hmi_ms, kS7Hmi);
    Poll(App::kModbus, crane.crane_pc, crane.plc, 502, p.modbus_hmi_ms, kModbusHmi);
    for (uint32_t i = 0; i < crane.drives.size(); ++i) {
      if (crane.profinet && i < 2) continue;  // the Siemens drives run on PROFINET
      Poll(App::kModbus, crane.plc, crane.drives[i], 502, p.modbus_field_ms, kModbusDrive);
    }
    for (uint32_t i = 0; i < crane.io.size(); ++i) {
      if (crane.profinet && i == 0) continue;        // Phoenix I/O on PROFINET
      if (crane.clx != kNoHost && i == 2) continue;  // Rockwell I/O under the ControlLogix
      Poll(App::kModbus, crane.plc, crane.io[i], 502, p.modbus_field_ms,
           i == 1 ? kModbusIoIdentify : kModbusIo);
    }
    Poll(App::kS7, sc_.rcms[0], crane.plc, 102, p.s7_monitor_ms, kS7Monitor);
    Poll(App::kS7, sc_.rcms[1], crane.safety_plc, 102, 2 * p.s7_monitor_ms, kS7SafetyMonitor);
    Poll(App::kModbus, sc_.historian, crane.plc, 502, p.historian_ms, kModbusHistorian);
  }
  const uint32_t streams =
      std::min(profile_.camera_streams, static_cast<uint32_t>(sc_.cameras.size()));
  for (uint32_t i = 0; i < streams; ++i) {
    const uint32_t sid = StartTcp(App::kRtsp, sc_.nvr, sc_.cameras[i], 554, kForever, 30 * kSec,
                                  rng_.Between(0, 3000) * kMs);
    Session& s = sessions_[sid];
    s.think_ns = 30 * kSec;
    const uint32_t client_port = 20000 + 2 * i;
    const uint32_t server_port = 8200 + 2 * rng_.Below(100);
    s.remaining = uint64_t{client_port} << 16 | server_port;
  }
  for (uint32_t i = 0; i < 4; ++i) {
    const uint32_t sid = StartTcp(App::kPgsql, sc_.tos_app[i % 2], sc_.tos_db, 5432, kForever,
                                  900 * kMs, rng_.Between(0, 1000) * kMs);
    sessions_[sid].reply_ns = rng_.Between(300, 5000) * 1000;
  }
  StartIndustrial();
}

uint32_t Engine::StartTcp(App app, uint32_t client, uint32_t server, uint16_t port, uint32_t rounds,
                          int64_t think_ns, int64_t delay) {
  const uint32_t sid = NewSession(app, client, server, port);
  Session& s = sessions_[sid];
  s.rounds = rounds;
  s.think_ns = think_ns;
  if (rng_.Chance(0.02) && rounds < 1000) s.close = Close::kServerFin;
  StartSession(sid, delay);
  return sid;
}

void Engine::StartDns(uint32_t client, const std::string* name, uint32_t address, uint32_t then) {
  const uint32_t sid = NewSession(App::kDns, client, sc_.dns, 53);
  Session& s = sessions_[sid];
  s.name = name;
  s.remaining = address;
  s.then = then;
  s.rtt_ns = 0;
  const bool internal = name->ends_with(sc_.domain);
  if (!internal && rng_.Chance(0.5)) {  // not in the server's cache: ask a public resolver
    s.upstream = Pick(rng_, sc_.resolvers) + 1;
    s.seq[0] = EphemeralPort(sc_.dns);
  }
  StartSession(sid, 0);
}

void Engine::StartRtp(uint32_t rtsp_session) {
  const uint32_t camera = sessions_[rtsp_session].host[1];
  const uint32_t nvr = sessions_[rtsp_session].host[0];
  const uint64_t ports = sessions_[rtsp_session].remaining;
  const uint32_t sid = NewSession(App::kRtp, camera, nvr, static_cast<uint16_t>(ports >> 16));
  Session& s = sessions_[sid];
  s.port[0] = static_cast<uint16_t>(ports & 0xffff);
  s.seq[0] = static_cast<uint32_t>(rng_.Next());
  s.seq[1] = static_cast<uint32_t>(rng_.Next());
  s.msg_len = 0;
  StartSession(sid, rng_.Between(1, 20) * kMs);
}

void Engine::StartFtpData(uint32_t ftp_session) {
  const Session& control = sessions_[ftp_session];
  const uint32_t client = control.host[0];
  const uint32_t server = control.host[1];
  const uint16_t port = FtpPassivePort(control);
  const uint32_t size = FtpFileSize(control);  // read before NewSession may grow the pool
  const uint32_t sid = NewSession(App::kFtpData, client, server, port);
  Session& s = sessions_[sid];
  s.rounds = 1;
  s.remaining = size;
  StartSession(sid, rng_.Between(1, 5) * kMs);
}

void Engine::Lldp(uint32_t switch_index, bool with_cdp) {
  const Switch& sw = sc_.switches[switch_index];
  const Host& host = sc_.hosts[sw.host];
  const bool core_switch = (sw.capabilities & 0x0010) != 0;
  const std::string port_description = core_switch ? "trunk to access layer" : "uplink to core-sw1";
  LldpInfo info;
  info.chassis = host.mac;
  info.port_id = sw.port;
  info.port_description = port_description;
  info.system_name = host.name;
  info.system_description = sw.description;
  info.capabilities = sw.capabilities;
  info.management_ip = host.ip;
  info.if_index = core_switch ? 1 : 49;
  info.port_vlan = 1;
  Write(frame_.Lldp(info));
  if (!sw.cisco || !with_cdp) return;
  const std::string device_id = host.name + "." + sc_.domain;
  CdpInfo cdp;
  cdp.source = host.mac;
  cdp.device_id = device_id;
  cdp.port_id = core_switch ? "TenGigabitEthernet1/0/1" : "TenGigabitEthernet1/1/1";
  cdp.software = sw.description;
  cdp.platform = core_switch ? "cisco C9500-24Y4C" : "cisco C9300-48P";
  cdp.address = host.ip;
  cdp.capabilities = core_switch ? 0x29 : 0x28;
  cdp.native_vlan = 1;
  Write(frame_.Cdp(cdp));
}

}  // namespace qw::simulate
