// Industrial and building-automation traffic of the engine: who polls whom on the crane
// networks, the electrical network and the buildings, the link-layer and UDP exchanges of
// PROFINET, EtherNet/IP and BACnet, and the planted program change. The IT sources and the
// original crane polling stay in generators.cpp.
#include <algorithm>
#include <array>

#include "simulate/engine.h"
#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

constexpr int64_t kUs = 1000;
constexpr int64_t kMs = 1000 * kUs;
constexpr uint32_t kForever = 0xffffffff;
constexpr uint16_t kEnipPort = 44818, kCipIoPort = 2222;
// DCP Identify All: devices spread their answers over up to 128 x 10 ms.
constexpr uint16_t kDcpResponseDelay = 128;

}  // namespace

uint32_t Engine::Poll(App app, uint32_t client, uint32_t server, uint16_t port, int64_t period_ms,
                      uint8_t variant) {
  const uint32_t sid =
      StartTcp(app, client, server, port, kForever, period_ms * kMs, rng_.Between(0, 2000) * kMs);
  sessions_[sid].variant = variant;
  sessions_[sid].reply_ns = rng_.Between(800, 4000) * kUs;
  return sid;
}

// Long-lived sessions of the protocols the crane polling of generators.cpp does not cover:
// PROFINET RT, EtherNet/IP, OPC UA, DNP3 and IEC 104.
void Engine::StartIndustrial() {
  const Profile& p = profile_;
  for (const Crane& crane : sc_.cranes) {
    if (crane.profinet) {
      const uint32_t devices[] = {crane.drives[0], crane.drives[1], crane.io[0]};
      for (uint32_t k = 0; k < std::size(devices); ++k) {
        const uint32_t sid = NewSession(App::kPnRt, crane.plc, devices[k], 0);
        Session& s = sessions_[sid];
        s.port[0] = static_cast<uint16_t>(0x8000 + 2 * k);  // output frame id
        s.port[1] = static_cast<uint16_t>(0x8001 + 2 * k);  // input frame id
        s.app_seq[0] = rng_.Below(0x10000);                 // cycle counters
        s.app_seq[1] = rng_.Below(0x10000);
        s.think_ns = p.pn_cycle_us * kUs;
        s.wait_ns = rng_.Between(100, 900) * kUs;  // the device answers within 1 ms
        StartSession(sid, rng_.Between(0, 50) * kMs);
      }
    }
    if (crane.clx != kNoHost) {
      const uint32_t hmi = StartTcp(App::kEnip, crane.hmi, crane.clx, kEnipPort, kForever,
                                    p.enip_hmi_ms * kMs, rng_.Between(0, 2000) * kMs);
      sessions_[hmi].variant = kEnipHmi;
      const uint32_t scanner = StartTcp(App::kEnip, crane.clx, crane.io[2], kEnipPort, 3, 0,
                                        rng_.Between(0, 1000) * kMs);
      sessions_[scanner].variant = kEnipScanner;
      sessions_[scanner].remaining = p.cip_rpi_us;
      sessions_[scanner].close = Close::kClientFin;
    }
  }
  for (const Crane& crane : sc_.cranes) {
    if (crane.sway != kNoHost) Poll(App::kS7Plus, crane.hmi, crane.sway, 102, 2 * p.s7_hmi_ms, 0);
  }
  const uint32_t opcua = StartTcp(App::kOpcUa, sc_.historian, sc_.rcms[0], 4840, kForever,
                                  p.historian_ms * kMs, rng_.Between(0, 1500) * kMs);
  sessions_[opcua].close = Close::kClientFin;
  const uint32_t dnp3 = StartTcp(App::kDnp3, sc_.power_scada, sc_.substation_rtu, 20000, kForever,
                                 p.dnp3_ms * kMs, rng_.Between(0, 1500) * kMs);
  sessions_[dnp3].reply_ns = rng_.Between(2000, 9000) * kUs;
  for (uint32_t i = 0; i < sc_.shore_power.size(); ++i) {
    const uint32_t sid = StartTcp(App::kIec104, sc_.power_scada, sc_.shore_power[i], 2404, kForever,
                                  p.iec104_ms * kMs, rng_.Between(0, 1500) * kMs);
    Session& s = sessions_[sid];
    s.variant = i == 0 ? kIec104Control : kIec104Monitor;
    s.remaining = i + 1;  // common address of the station
  }
}

void Engine::RunIcsSource(SourceKind kind, uint32_t arg, uint32_t run) {
  std::array<uint8_t, 256> payload{};
  switch (kind) {
    case SourceKind::kPnIdentify: {  // the crane PC's engineering tool lists the devices
      const Crane& crane = sc_.cranes[arg];
      const auto xid = static_cast<uint32_t>(rng_.Next());
      SendPn(crane.crane_pc, kDcpMulticast, 0,
             std::span(payload).first(WriteDcpIdentifyRequest(payload, xid, kDcpResponseDelay)));
      for (uint32_t device : {crane.plc, crane.drives[0], crane.drives[1], crane.io[0]}) {
        const uint32_t sid = NewSession(App::kPnDcp, device, crane.crane_pc, 0);
        sessions_[sid].counter = xid;
        StartSession(sid, rng_.Between(1, kDcpResponseDelay * 10) * kMs);
      }
      return;
    }
    case SourceKind::kEnipIdentify: {  // RSLinx on the crane PC browses the VLAN
      const Crane& crane = sc_.cranes[arg];
      const uint16_t sport = EphemeralPort(crane.crane_pc);
      const uint64_t context = rng_.Next();
      auto ip_id = static_cast<uint16_t>(rng_.Next());
      SendUdpBroadcast(crane.crane_pc, sport, kEnipPort, ip_id,
                       std::span(payload).first(WriteEnipListIdentityRequest(payload, context)));
      for (uint32_t device : {crane.clx, crane.io[2]}) {
        const uint32_t sid = NewSession(App::kEnipIdentity, device, crane.crane_pc, sport);
        Session& s = sessions_[sid];
        s.port[0] = kEnipPort;
        s.fill = context;
        StartSession(sid, rng_.Between(1, 60) * kMs);
      }
      return;
    }
    case SourceKind::kBacnetWhoIs: {
      const uint16_t zone = sc_.hosts[sc_.bms].zone;
      auto ip_id = static_cast<uint16_t>(rng_.Next());
      SendUdpBroadcast(sc_.bms, kBacnetPort, kBacnetPort, ip_id,
                       std::span(payload).first(WriteBacnetWhoIs(payload)));
      for (uint32_t controller : sc_.bms_controllers) {
        if (sc_.hosts[controller].zone != zone) continue;  // broadcasts stay in the VLAN
        const uint32_t sid = NewSession(App::kBacnetIAm, controller, sc_.bms, kBacnetPort);
        StartSession(sid, rng_.Between(5, 400) * kMs);
      }
      return;
    }
    case SourceKind::kBacnetPoll: {
      uint32_t controller =
          sc_.bms_controllers[rng_.Below(static_cast<uint32_t>(sc_.bms_controllers.size()))];
      const bool write = run % 50 == 5;
      // Setpoints are changed only in the office buildings, the server's own zone.
      if (write && sc_.hosts[controller].zone != sc_.hosts[sc_.bms].zone) {
        controller = sc_.bms_controllers[0];
      }
      const uint32_t sid = NewSession(App::kBacnet, sc_.bms, controller, kBacnetPort);
      Session& s = sessions_[sid];
      s.port[0] = kBacnetPort;
      s.variant = write ? kBacnetWrite : kBacnetRead;
      s.counter = (run & 0xff) | rng_.Below(3) << 8;  // invoke id, object
      StartSession(sid, 0);
      return;
    }
    case SourceKind::kOpcUaTos: {
      // The first session is short, so that short captures show a whole one, CLO included.
      const uint32_t reads = run == 0 ? 2 : 3 + rng_.Below(8);
      const uint32_t sid = StartTcp(App::kOpcUa, sc_.tos_app[0], sc_.rcms[0], 4840,
                                    kOpcUaSetupRounds + reads + kOpcUaCloseRounds, 500 * kMs, 0);
      sessions_[sid].close = Close::kClientFin;
      return;
    }
    case SourceKind::kProgramChange: {
      if (run > 0) return;
      const uint32_t sid =
          StartTcp(App::kS7, sc_.contractor_laptop, sc_.cranes[0].plc, 102, 10, 0, 0);
      sessions_[sid].variant = kS7Program;
      sessions_[sid].close = Close::kClientFin;
      sessions_[sid].reply_ns = rng_.Between(2000, 6000) * kUs;
      return;
    }
    default:
      return;
  }
}

void Engine::StartCipIo(uint32_t scanner_session) {
  const Session& scanner = sessions_[scanner_session];
  const uint32_t originator = scanner.host[0];
  const uint32_t target = scanner.host[1];
  const CipConnection connection = CipConnectionOf(scanner.fill);
  const uint64_t rpi_us = scanner.remaining;
  const uint32_t sid = NewSession(App::kCipIo, originator, target, kCipIoPort);
  Session& s = sessions_[sid];  // the pool may have grown: `scanner` is stale from here
  s.port[0] = kCipIoPort;
  s.seq[0] = connection.o_to_t;
  s.seq[1] = connection.t_to_o;
  s.think_ns = static_cast<int64_t>(rpi_us) * kUs;
  s.wait_ns = rng_.Between(200, 3000) * kUs;  // the adapter's phase against the scanner
  s.dir = 0;
  StartSession(sid, rng_.Between(2, 10) * kMs);
}

// One step of the industrial datagram and link-layer sessions; false for other sessions.
bool Engine::StepIcsDatagram(uint32_t id) {
  Session& s = sessions_[id];
  std::array<uint8_t, 512> payload{};
  switch (s.app) {
    case App::kBacnet: {
      const int side = s.round == 0 ? 0 : 1;
      const size_t len = WriteBacnet(payload, s, side == 1, rng_);
      SendUdp(s.host[side], s.host[1 - side], s.port[side], s.port[1 - side], s.ip_id[side],
              std::span(payload).first(len));
      if (side == 0) {
        s.round = 1;
        ScheduleSession(id, s.rtt_ns + s.reply_ns);
      } else {
        EndSession(id);
      }
      return true;
    }
    case App::kBacnetIAm: {
      const size_t len =
          WriteBacnetIAm(payload, BacnetInstanceOf(sc_, s.host[0]), BacnetVendorOf(sc_, s.host[0]));
      SendUdpBroadcast(s.host[0], kBacnetPort, kBacnetPort, s.ip_id[0],
                       std::span(payload).first(len));
      EndSession(id);
      return true;
    }
    case App::kEnipIdentity: {
      const size_t len =
          WriteEnipListIdentityReply(payload, s.fill, EnipIdentityOf(sc_, s.host[0]));
      SendUdp(s.host[0], s.host[1], s.port[0], s.port[1], s.ip_id[0],
              std::span(payload).first(len));
      EndSession(id);
      return true;
    }
    case App::kCipIo: {
      const int side = s.dir;
      const size_t len = WriteCipIo(payload, s.seq[side], ++s.app_seq[side], side == 0, rng_);
      SendUdp(s.host[side], s.host[1 - side], kCipIoPort, kCipIoPort, s.ip_id[side],
              std::span(payload).first(len));
      s.dir = static_cast<uint8_t>(1 - side);
      const int64_t jitter = rng_.Between(-s.think_ns / 200, s.think_ns / 200);
      ScheduleSession(id, side == 0 ? s.wait_ns : s.think_ns - s.wait_ns + jitter);
      return true;
    }
    case App::kPnDcp: {
      const size_t len =
          WriteDcpIdentifyResponse(payload, s.counter, DcpIdentityOf(sc_, s.host[0]));
      SendPn(s.host[0], sc_.hosts[s.host[1]].mac, 0, std::span(payload).first(len));
      EndSession(id);
      return true;
    }
    case App::kPnRt: {
      const int side = s.dir;
      // The cycle counter counts 31.25 us ticks and advances by one cycle per frame.
      s.app_seq[side] =
          (s.app_seq[side] + static_cast<uint32_t>(profile_.pn_cycle_us * 32 / 1000)) & 0xffff;
      const size_t len = WritePnRtCyclic(payload, s.port[side],
                                         static_cast<uint16_t>(s.app_seq[side]), side == 0, rng_);
      SendPn(s.host[side], sc_.hosts[s.host[1 - side]].mac, 6, std::span(payload).first(len));
      s.dir = static_cast<uint8_t>(1 - side);
      const int64_t jitter = rng_.Between(-20, 20) * kUs / 10;
      ScheduleSession(id, side == 0 ? s.wait_ns : s.think_ns - s.wait_ns + jitter);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace qw::simulate
