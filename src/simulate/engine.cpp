#include "simulate/engine.h"

#include <algorithm>
#include <string_view>

#include "simulate/ics_payloads.h"
#include "simulate/payloads.h"

namespace qw::simulate {
namespace {

constexpr size_t kForwardSlots = 4096;
const core::MacAddr kBroadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

// Receivers acknowledge at least every second full segment (RFC 9293, 3.8.6.3).
constexpr uint8_t kSegmentsPerAck = 2;

// True when exchange `round` of `s` still belongs to the protocol's setup, which runs
// without the client's think time: handshakes, logins, stream setup. A PG's download runs
// as fast as the PLC answers, from start to finish.
bool SetupRound(const Session& s, uint32_t round) {
  switch (s.app) {
    case App::kTls:
    case App::kPgsql:
      return round == 1;
    case App::kS7:
      return round == 1 || s.variant == kS7Program;
    case App::kRdp:
      return round <= 2;
    case App::kSsh:
      return round <= 3;
    case App::kVnc:
      return round <= 4;
    case App::kS7Plus:
      return round <= 1;
    case App::kFtp:
      return round != kFtpCompleteRound;  // 226 waits for the data connection
    case App::kRtsp:
      return round < 4;
    case App::kEnip:
      return round < 3;
    case App::kOpcUa:
      return round < kOpcUaSetupRounds || round + 1 >= s.rounds;
    case App::kIec104:
      return round < 3;
    default:
      return false;
  }
}

}  // namespace

Engine::Engine(const Scenario& scenario, const SimulateOptions& options, const Profile& profile,
               Traffic traffic, FrameSink& sink)
    : sc_(scenario),
      options_(options),
      profile_(profile),
      traffic_(traffic),
      sink_(sink),
      rng_(traffic == Traffic::kPlants ? options.seed ^ 0x706c616e74ULL : options.seed) {
  events_.reserve(4096);
  sessions_.reserve(4096);
  forwards_.resize(kForwardSlots);
  for (uint32_t i = kForwardSlots; i > 0; --i) free_forwards_.push_back(i - 1);
  next_port_.resize(sc_.hosts.size());
  for (auto& port : next_port_) port = static_cast<uint16_t>(49152 + rng_.Below(12000));
}

core::Status Engine::Run(SimulateStats& stats) {
  if (traffic_ == Traffic::kPlants) {
    AddPlantSources();
  } else {
    AddSources();
    StartLongLived();
  }
  const auto later = [](const Event& a, const Event& b) {
    return a.t != b.t ? a.t > b.t : a.order > b.order;
  };
  // The plants run to their end: every one starts within the capture's expected span, and
  // only their sources' next (never due) runs lie beyond twice that.
  const int64_t horizon = 2 * std::max<int64_t>(expected_, 1000000000);
  int64_t first = -1;
  while (written_ < options_.packets && status_.ok() && !events_.empty()) {
    std::pop_heap(events_.begin(), events_.end(), later);
    const Event event = events_.back();
    events_.pop_back();
    now_ = event.t;
    if (traffic_ == Traffic::kPlants && now_ > horizon) break;
    if (first < 0) first = now_;
    switch (event.kind) {
      case EventKind::kSession: {
        current_plant_ = sessions_[event.id].plant;
        if (IsTcp(sessions_[event.id].app)) {
          StepTcp(event.id);
        } else {
          StepUdp(event.id);
        }
        break;
      }
      case EventKind::kForward:
        current_plant_ = forwards_[event.id].plant;
        Forward(event.id);
        break;
      case EventKind::kSource:
        current_plant_ = 0;
        RunSource(event.id);
        break;
    }
    current_plant_ = 0;
  }
  stats.packets = written_;
  stats.bytes = bytes_;
  stats.hosts = sc_.hosts.size();
  stats.tcp_sessions = tcp_sessions_;
  stats.udp_sessions = udp_sessions_;
  stats.first_ts = core::Timestamp{kStartNs + std::max<int64_t>(first, 0)};
  stats.last_ts = core::Timestamp{kStartNs + now_};
  return status_;
}

void Engine::Schedule(int64_t t, EventKind kind, uint32_t id) {
  events_.push_back(Event{t, order_++, id, kind});
  std::push_heap(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
    return a.t != b.t ? a.t > b.t : a.order > b.order;
  });
}

// ---- Sessions ----

uint16_t Engine::EphemeralPort(uint32_t host) {
  uint16_t& next = next_port_[host];
  next = static_cast<uint16_t>(next + 1 + rng_.Below(3));
  if (next < 49152) next = 49152;
  return next;
}

int64_t Engine::PathRtt(uint32_t a, uint32_t b) {
  const Host& x = sc_.hosts[a];
  const Host& y = sc_.hosts[b];
  if (x.zone == kExternalZone || y.zone == kExternalZone) return rng_.Between(8, 90) * 1000000;
  const int64_t base = rng_.Between(150, 600) * 1000;
  return x.zone == y.zone ? base : base + 120000;
}

uint32_t Engine::NewSession(App app, uint32_t client, uint32_t server, uint16_t server_port) {
  uint32_t id;
  if (!free_sessions_.empty()) {
    id = free_sessions_.back();
    free_sessions_.pop_back();
  } else {
    id = static_cast<uint32_t>(sessions_.size());
    sessions_.emplace_back();
  }
  Session& s = sessions_[id];
  s.app = app;
  s.phase = Phase::kSyn;
  s.close = Close::kClientFin;
  s.body = Body::kRandom;
  s.dir = 0;
  s.unacked = 0;
  s.more = false;
  s.variant = 0;
  s.plant = 0;
  s.host[0] = client;
  s.host[1] = server;
  s.port[0] = EphemeralPort(client);
  s.port[1] = server_port;
  s.seq[0] = static_cast<uint32_t>(rng_.Next());
  s.seq[1] = static_cast<uint32_t>(rng_.Next());
  s.ip_id[0] = static_cast<uint16_t>(rng_.Next());
  s.ip_id[1] = static_cast<uint16_t>(rng_.Next());
  s.window[0] = sc_.hosts[client].ttl == 128 ? 64240 : 64800;
  s.window[1] =
      sc_.hosts[server].role == Role::kPlc || sc_.hosts[server].role == Role::kDrive ? 8192 : 65160;
  s.mss = sc_.hosts[server].zone == kExternalZone ? 1380 : 1460;
  s.round = 0;
  s.rounds = 1;
  s.msg_index = s.msg_len = s.msg_off = s.head_len = 0;
  s.counter = rng_.Below(60000);
  s.app_seq[0] = s.app_seq[1] = 0;
  s.remaining = 0;
  s.fill = rng_.Next();
  s.rtt_ns = PathRtt(client, server);
  s.gap_ns = sc_.hosts[server].zone == kExternalZone ? rng_.Between(40, 300) * 1000
                                                     : rng_.Between(12, 40) * 1000;
  s.think_ns = 0;
  s.wait_ns = 0;
  s.reply_ns = rng_.Between(100, 3000) * 1000;
  s.name = nullptr;
  s.then = 0;
  s.upstream = 0;
  if (IsTcp(app)) {
    ++tcp_sessions_;
  } else if (app != App::kArp && app != App::kPnDcp && app != App::kPnRt) {
    ++udp_sessions_;
  }
  return id;
}

void Engine::StartSession(uint32_t id, int64_t delay) { ScheduleSession(id, delay); }

void Engine::EndSession(uint32_t id) { free_sessions_.push_back(id); }

void Engine::StartMessage(Session& s) {
  PlanMessage(s, sc_, rng_, kStartNs + now_);
  s.msg_off = 0;
  ++s.msg_index;
}

// Plans the first message of a round: the client's, or the server's when the client has
// nothing to say this round (a station's spontaneous data).
void Engine::OpenRound(Session& s) {
  s.dir = 0;
  s.msg_index = 0;
  StartMessage(s);
  if (s.msg_len == 0) {
    s.dir = 1;
    s.msg_index = 0;
    StartMessage(s);
  }
  s.phase = Phase::kData;
}

void Engine::StepTcp(uint32_t id) {
  Session& s = sessions_[id];
  const int64_t half_rtt = s.rtt_ns / 2;
  switch (s.phase) {
    case Phase::kSyn:
      SendSegment(s, 0, kSyn, 0);
      ++s.seq[0];
      s.phase = Phase::kSynAck;
      ScheduleSession(id, half_rtt);
      return;
    case Phase::kSynAck:
      SendSegment(s, 1, kSyn | kAck, 0);
      ++s.seq[1];
      s.phase = Phase::kHandshakeAck;
      ScheduleSession(id, half_rtt);
      return;
    case Phase::kHandshakeAck:
      SendSegment(s, 0, kAck, 0);
      OpenRound(s);
      ScheduleSession(id, rng_.Between(30, 800) * 1000);
      return;
    case Phase::kData: {
      const uint32_t len = std::min<uint32_t>(s.mss, s.msg_len - s.msg_off);
      const bool last = s.msg_off + len >= s.msg_len;
      SendSegment(s, s.dir, static_cast<uint8_t>(kAck | (last ? kPsh : 0)), len);
      s.msg_off += len;
      s.seq[s.dir] += len;
      if (!last) {
        s.phase = ++s.unacked >= kSegmentsPerAck ? Phase::kMidAck : Phase::kData;
        ScheduleSession(id, s.gap_ns);
        return;
      }
      ++s.unacked;
      AfterMessage(id);
      return;
    }
    case Phase::kMidAck:
      SendSegment(s, 1 - s.dir, kAck, 0);
      s.unacked = 0;
      s.phase = Phase::kData;
      ScheduleSession(id, s.gap_ns);
      return;
    case Phase::kIdleAck:  // the side that received last acknowledges
      SendSegment(s, 1 - s.dir, kAck, 0);
      s.unacked = 0;
      OpenRound(s);
      ScheduleSession(id, s.wait_ns);
      return;
    case Phase::kFin1:
    case Phase::kFin2: {
      const int closer = s.close == Close::kServerFin ? 1 : 0;
      const int side = s.phase == Phase::kFin1 ? closer : 1 - closer;
      SendSegment(s, side, kFin | kAck, 0);
      ++s.seq[side];
      s.phase = s.phase == Phase::kFin1 ? Phase::kFin2 : Phase::kFinAck;
      ScheduleSession(id, half_rtt);
      return;
    }
    case Phase::kFinAck:
      SendSegment(s, s.close == Close::kServerFin ? 1 : 0, kAck, 0);
      EndSession(id);
      return;
    case Phase::kReset:
      SendSegment(s, s.close == Close::kServerReset ? 1 : 0, kRst | kAck, 0);
      EndSession(id);
      return;
  }
}

void Engine::AfterMessage(uint32_t id) {
  Session& s = sessions_[id];
  if (s.more) {
    StartMessage(s);
    s.phase = s.unacked >= kSegmentsPerAck ? Phase::kMidAck : Phase::kData;
    ScheduleSession(id, s.gap_ns);
    return;
  }
  if (s.dir == 0) {  // the request is complete: the server answers, acknowledging it
    s.dir = 1;
    s.msg_index = 0;
    StartMessage(s);
    if (s.msg_len == 0) {  // the server only listens this round
      s.dir = 0;
      AfterRound(id);
      return;
    }
    s.unacked = 0;
    s.phase = Phase::kData;
    ScheduleSession(id, s.rtt_ns / 2 + s.reply_ns);
    return;
  }
  AfterRound(id);
}

void Engine::AfterRound(uint32_t id) {
  Session& s = sessions_[id];
  ++s.round;
  if (s.app == App::kRtsp && s.round == 4) StartRtp(id);
  if (s.app == App::kFtp && s.round == kFtpDataRound) StartFtpData(id);
  if (s.app == App::kEnip && s.variant == kEnipScanner && s.round == 2) StartCipIo(id);
  Session& t = sessions_[id];  // StartRtp and StartCipIo may have grown the pool
  if (t.round >= t.rounds) {
    t.phase = t.close == Close::kServerReset || t.close == Close::kClientReset ? Phase::kReset
                                                                               : Phase::kFin1;
    ScheduleSession(id, t.rtt_ns / 2 + rng_.Between(50, 5000) * 1000);
    return;
  }
  const int64_t think = SetupRound(t, t.round)
                            ? t.rtt_ns / 2 + rng_.Between(50, 3000) * 1000
                            : t.think_ns + rng_.Between(0, t.think_ns / 50 + 1000);
  const int64_t ack_delay = std::min<int64_t>(t.rtt_ns / 2 + 40000, think / 2);
  if (think > 2 * ack_delay && t.unacked > 0) {
    t.phase = Phase::kIdleAck;
    t.wait_ns = think - ack_delay;
    ScheduleSession(id, ack_delay);
    return;
  }
  t.unacked = 0;
  OpenRound(t);
  ScheduleSession(id, think);
}

void Engine::StepUdp(uint32_t id) {
  if (sessions_[id].plant != 0) {  // a datagram exchange's step: the round it sends
    next_tag_ = FrameTag{sessions_[id].plant, static_cast<int32_t>(sessions_[id].round), 0, 0};
  }
  if (StepIcsDatagram(id)) return;
  Session& s = sessions_[id];
  uint8_t payload[1500];
  switch (s.app) {
    case App::kArp:
      SendArp(s.host[0], s.host[1], s.round == 1, s.variant == 1);
      if (s.round == 0 && s.variant == 0) {
        s.round = 1;
        ScheduleSession(id, rng_.Between(40, 900) * 1000);
      } else {
        EndSession(id);
      }
      return;
    case App::kDns: {
      const uint32_t dns = s.host[1];
      const uint32_t resolver = s.upstream - 1;
      const auto answer = static_cast<uint32_t>(s.remaining);
      size_t len = 0;
      switch (s.round) {
        case 0:
          len = WriteDnsQuery(payload, static_cast<uint16_t>(s.counter), *s.name, true);
          SendUdp(s.host[0], dns, s.port[0], 53, s.ip_id[0], {payload, len});
          break;
        case 1:
          len = WriteDnsQuery(payload, static_cast<uint16_t>(s.counter ^ 0x5a5a), *s.name, true);
          SendUdp(dns, resolver, static_cast<uint16_t>(s.seq[0]), 53, s.ip_id[1], {payload, len});
          break;
        case 2:
          len = WriteDnsResponse(payload, static_cast<uint16_t>(s.counter ^ 0x5a5a), *s.name,
                                 answer, 300);
          SendUdp(resolver, dns, 53, static_cast<uint16_t>(s.seq[0]), s.ip_id[0], {payload, len});
          break;
        default:
          len = WriteDnsResponse(payload, static_cast<uint16_t>(s.counter), *s.name, answer,
                                 s.upstream != 0 ? 300 : 3600);
          SendUdp(dns, s.host[0], 53, s.port[0], s.ip_id[1], {payload, len});
          break;
      }
      if (s.round == 0 && s.upstream == 0) s.round = 2;  // answered from the server's cache
      if (s.round < 3) {
        const int64_t delay = s.round == 1 ? PathRtt(dns, resolver) : rng_.Between(60, 900) * 1000;
        ++s.round;
        ScheduleSession(id, delay);
        return;
      }
      const uint32_t then = s.then;
      EndSession(id);
      if (then != 0 && answer != 0) {
        StartSession(then - 1, rng_.Between(100, 2000) * 1000);
      } else if (then != 0) {
        EndSession(then - 1);
      }
      return;
    }
    case App::kSnmp: {
      // s.remaining: the switch polled; s.counter: the request id.
      const Switch& sw = sc_.switches[static_cast<size_t>(s.remaining)];
      const bool reply = s.round == 1;
      SnmpPoll poll;
      poll.response = reply;
      poll.request_id = s.counter;
      poll.community = "public";  // the factory default the advisory's hardening removes
      poll.description = sw.description;
      poll.name = sc_.hosts[sw.host].name;
      poll.enterprise = sw.cisco ? 9 : 248;  // Cisco, Hirschmann
      const size_t len = WriteSnmp(payload, poll);
      SendUdp(s.host[reply ? 1 : 0], s.host[reply ? 0 : 1], reply ? 161 : s.port[0],
              reply ? s.port[0] : 161, s.ip_id[reply ? 1 : 0], {payload, len});
      if (!reply) {
        s.round = 1;
        ScheduleSession(id, s.rtt_ns + rng_.Between(200, 3000) * 1000);
      } else {
        EndSession(id);
      }
      return;
    }
    case App::kSyslog: {
      static constexpr std::string_view kMessages[] = {
          "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to up",
          "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: crane-admin] [Source: 10.40.0.11]",
          "%SYS-5-CONFIG_I: Configured from console by crane-admin on vty0",
          "%SPANTREE-6-PORT_STATE: Port 1/1 instance 0 moving from learning to forwarding"};
      const std::string_view text = kMessages[s.counter % std::size(kMessages)];
      const uint8_t pri = static_cast<uint8_t>(23 * 8 + 3 + s.counter % 4);  // local7
      const size_t len =
          WriteSyslog(payload, pri, kStartNs + now_, sc_.hosts[s.host[0]].name, text);
      SendUdp(s.host[0], s.host[1], s.port[0], 514, s.ip_id[0], {payload, len});
      EndSession(id);
      return;
    }
    case App::kTftp: {
      // Round 0 the write request to port 69; then the server answers from port s.counter:
      // ACK 0, and each DATA block the switch sends is acknowledged.
      const Host& client = sc_.hosts[s.host[0]];
      const std::string config = SwitchConfig(client.name, "crane network: authorised access only");
      const auto blocks = static_cast<uint16_t>(config.size() / 512 + 1);
      const auto server_port = static_cast<uint16_t>(s.counter);
      size_t len = 0;
      if (s.round == 0) {
        len = WriteTftp(payload, 2, 0, client.name + "-confg");
        SendUdp(s.host[0], s.host[1], s.port[0], 69, s.ip_id[0], {payload, len});
      } else if (s.round % 2 == 1) {
        len = WriteTftp(payload, 4, static_cast<uint16_t>(s.round / 2), "");
        SendUdp(s.host[1], s.host[0], server_port, s.port[0], s.ip_id[1], {payload, len});
      } else {
        const auto block = static_cast<uint16_t>(s.round / 2);
        const size_t at = size_t{block - 1u} * 512;
        const std::string_view chunk =
            std::string_view(config).substr(at, std::min<size_t>(512, config.size() - at));
        len = WriteTftp(payload, 3, block, chunk);
        SendUdp(s.host[0], s.host[1], s.port[0], server_port, s.ip_id[0], {payload, len});
      }
      if (s.round < 2u * blocks + 1) {
        ++s.round;
        ScheduleSession(id, s.rtt_ns / 2 + rng_.Between(50, 800) * 1000);
      } else {
        EndSession(id);
      }
      return;
    }
    case App::kIke: {
      // Round r sends message r (WriteIke): the gateway answers the offer (1) and the second
      // quick-mode message (4); the client sends the rest. s.fill: the initiator's cookie.
      constexpr std::string_view kUser = "service@cranemaker.example";
      const bool from_gateway = s.round == 1 || s.round == 4;
      const size_t len = WriteIke(payload, s.round, s.fill, s.fill * 0x9e3779b97f4a7c15ULL | 1,
                                  kUser, sc_.hosts[s.host[1]].ip, s.fill + s.round);
      SendUdp(s.host[from_gateway ? 1 : 0], s.host[from_gateway ? 0 : 1], 500, 500,
              s.ip_id[from_gateway ? 1 : 0], {payload, len});
      if (s.round < 5) {
        ++s.round;
        ScheduleSession(id,
                        from_gateway || s.round == 3 ? rng_.Between(2000, 40000) * 1000 : s.rtt_ns);
      } else {
        EndSession(id);
      }
      return;
    }
    case App::kNtp: {
      const bool reply = s.round == 1;
      const size_t len = WriteNtp(payload, reply, kStartNs + now_, s.fill);
      SendUdp(s.host[reply ? 1 : 0], s.host[reply ? 0 : 1], reply ? 123 : s.port[0],
              reply ? s.port[0] : 123, s.ip_id[reply ? 1 : 0], {payload, len});
      if (!reply) {
        s.fill = static_cast<uint64_t>(kStartNs + now_);  // the reply echoes this
        s.round = 1;
        ScheduleSession(id, s.rtt_ns);
      } else {
        EndSession(id);
      }
      return;
    }
    case App::kDhcp: {
      const Host& client = sc_.hosts[s.host[0]];
      const Host& server = sc_.hosts[s.host[1]];
      const Zone& zone = sc_.zones[client.zone];
      const bool renew = s.variant == 1;
      const uint8_t types[] = {1, 2, 3, 5};
      const uint8_t type = renew ? (s.round == 0 ? 3 : 5) : types[s.round];
      DhcpMessage m;
      m.type = type;
      m.xid = static_cast<uint32_t>(s.fill);
      m.client = client.mac;
      m.client_ip = renew ? client.ip : 0;
      m.your_ip = type == 2 || type == 5 ? client.ip : 0;
      m.requested = !renew && type == 3 ? client.ip : 0;
      m.server = type != 1 && !renew ? server.ip : (type == 5 ? server.ip : 0);
      m.router = sc_.hosts[zone.router].ip;
      m.dns = sc_.hosts[sc_.dns].ip;
      m.host_name = client.name;
      m.domain = sc_.domain;
      const size_t len = WriteDhcp(payload, m);
      const bool from_server = type == 2 || type == 5;
      const Host& from = from_server ? server : client;
      L2 l2{kBroadcast, from.mac, zone.plan.vlan};
      Ipv4Fields ip;
      ip.src = from_server ? server.ip : (renew ? client.ip : 0);
      ip.dst = 0xffffffff;
      if (renew) {
        l2.dst = from_server ? client.mac : server.mac;
        ip.dst = from_server ? client.ip : server.ip;
      }
      ip.ttl = from.ttl;
      ip.id = s.ip_id[from_server ? 1 : 0]++;
      auto area = frame_.UdpPayload(l2);
      std::copy(payload, payload + len, area.begin());
      Write(frame_.FinishUdp(l2, ip, from_server ? 67 : 68, from_server ? 68 : 67, len));
      ++s.round;
      if (s.round < (renew ? 2u : 4u)) {
        ScheduleSession(id, rng_.Between(200, 3000) * 1000);
      } else {
        EndSession(id);
      }
      return;
    }
    case App::kRtp: {
      // Sub-stream for recording: 10 frames per second, a key frame every 20.
      const bool key = s.round % 20 == 0;
      if (s.msg_len == 0) {
        s.msg_len = key ? 5000 + rng_.Below(5000) : 300 + rng_.Below(1000);
        s.msg_off = 0;
        s.seq[0] += 9000;  // 90 kHz clock
      }
      const uint32_t size = std::min<uint32_t>(1400, s.msg_len - s.msg_off);
      const bool first = s.msg_off == 0;
      const bool last = s.msg_off + size >= s.msg_len;
      const size_t len = WriteRtpH264(payload, static_cast<uint16_t>(s.counter++), s.seq[0],
                                      s.seq[1], first, last, key, size, s.fill + s.msg_off);
      SendUdp(s.host[0], s.host[1], s.port[0], s.port[1], s.ip_id[0], {payload, len});
      s.msg_off += size;
      if (!last) {
        ScheduleSession(id, rng_.Between(60, 200) * 1000);
        return;
      }
      ++s.round;
      s.msg_len = 0;
      ScheduleSession(id, 100000000 - rng_.Between(0, 4000) * 1000);
      return;
    }
    default:
      EndSession(id);
      return;
  }
}

// ---- Frames ----

L2 Engine::FirstLeg(uint32_t from, uint32_t to) const {
  const Host& a = sc_.hosts[from];
  const Host& b = sc_.hosts[to];
  if (a.zone == kExternalZone) {  // arrives from the firewall on b's VLAN
    const Zone& zone = sc_.zones[b.zone];
    return L2{b.mac, sc_.hosts[zone.router].mac, zone.plan.vlan};
  }
  const Zone& zone = sc_.zones[a.zone];
  if (a.zone == b.zone) return L2{b.mac, a.mac, zone.plan.vlan};
  return L2{sc_.hosts[zone.router].mac, a.mac, zone.plan.vlan};
}

void Engine::FinishIp(uint32_t from, uint32_t to, std::span<const uint8_t> frame) {
  Write(frame);
  const Host& a = sc_.hosts[from];
  const Host& b = sc_.hosts[to];
  if (a.zone == kExternalZone || b.zone == kExternalZone || a.zone == b.zone) return;
  if (free_forwards_.empty()) return;  // never in practice: forwards wait microseconds
  // The router's second leg: same IP packet on b's VLAN, from the router's interface there.
  const uint32_t slot = free_forwards_.back();
  free_forwards_.pop_back();
  ForwardSlot& f = forwards_[slot];
  const Zone& zone = sc_.zones[b.zone];
  f.plant = current_plant_;
  f.l2 = L2{b.mac, sc_.hosts[zone.router].mac, zone.plan.vlan};
  const size_t l2_len = L2Size(FirstLeg(from, to));
  const size_t ip_len = size_t{frame[l2_len + 2]} << 8 | frame[l2_len + 3];
  f.len = static_cast<uint16_t>(std::min(ip_len, f.ip.size()));
  std::copy_n(frame.begin() + static_cast<std::ptrdiff_t>(l2_len), f.len, f.ip.begin());
  // Less than the gap between segments, so both legs of one segment stay together.
  Schedule(now_ + rng_.Between(4, 10) * 1000, EventKind::kForward, slot);
}

void Engine::Forward(uint32_t slot) {
  ForwardSlot& f = forwards_[slot];
  Write(frame_.Forward(f.l2, std::span<const uint8_t>(f.ip).first(f.len)));
  free_forwards_.push_back(slot);
}

void Engine::SendSegment(Session& s, int side, uint8_t flags, uint32_t payload_len) {
  const uint32_t from = s.host[side];
  const uint32_t to = s.host[1 - side];
  const L2 l2 = FirstLeg(from, to);
  const bool syn = (flags & kSyn) != 0;
  auto area = frame_.TcpPayload(l2, syn);
  if (payload_len > 0) FillMessage(s, s.msg_off, area.first(payload_len));
  if (s.plant != 0 && payload_len > 0 && s.msg_off == 0) {
    // The first frame of a message (msg_index counts the message being sent).
    next_tag_ = FrameTag{s.plant, static_cast<int32_t>(s.round), static_cast<uint8_t>(side),
                         static_cast<uint8_t>(s.msg_index > 0 ? s.msg_index - 1 : 0)};
  }
  Ipv4Fields ip;
  ip.src = sc_.hosts[from].ip;
  ip.dst = sc_.hosts[to].ip;
  ip.ttl = sc_.hosts[from].ttl;
  ip.id = s.ip_id[side]++;
  TcpFields tcp;
  tcp.sport = s.port[side];
  tcp.dport = s.port[1 - side];
  tcp.seq = s.seq[side];
  tcp.ack = (flags & kAck) != 0 ? s.seq[1 - side] : 0;
  tcp.flags = flags;
  tcp.window = s.window[side];
  tcp.mss = syn ? s.mss : 0;
  FinishIp(from, to, frame_.FinishTcp(l2, ip, tcp, payload_len));
}

void Engine::SendUdp(uint32_t from, uint32_t to, uint16_t sport, uint16_t dport, uint16_t& ip_id,
                     std::span<const uint8_t> payload) {
  const L2 l2 = FirstLeg(from, to);
  auto area = frame_.UdpPayload(l2);
  const size_t len = std::min(payload.size(), area.size());
  std::copy_n(payload.begin(), len, area.begin());
  Ipv4Fields ip;
  ip.src = sc_.hosts[from].ip;
  ip.dst = sc_.hosts[to].ip;
  ip.ttl = sc_.hosts[from].ttl;
  ip.id = ip_id++;
  FinishIp(from, to, frame_.FinishUdp(l2, ip, sport, dport, len));
}

void Engine::SendUdpBroadcast(uint32_t from, uint16_t sport, uint16_t dport, uint16_t& ip_id,
                              std::span<const uint8_t> payload) {
  const Host& a = sc_.hosts[from];
  const Zone& zone = sc_.zones[a.zone];
  const L2 l2{kBroadcast, a.mac, zone.plan.vlan};
  auto area = frame_.UdpPayload(l2);
  const size_t len = std::min(payload.size(), area.size());
  std::copy_n(payload.begin(), len, area.begin());
  Ipv4Fields ip;
  ip.src = a.ip;
  ip.dst = zone.network | (0xffffffffu >> zone.prefix_len);  // directed broadcast
  ip.ttl = a.ttl;
  ip.id = ip_id++;
  Write(frame_.FinishUdp(l2, ip, sport, dport, len));
}

void Engine::SendPn(uint32_t from, const core::MacAddr& to, uint8_t priority,
                    std::span<const uint8_t> payload) {
  const Host& a = sc_.hosts[from];
  const L2 l2{to, a.mac, sc_.zones[a.zone].plan.vlan, priority};
  auto area = frame_.EtherPayload(l2);
  const size_t len = std::min(payload.size(), area.size());
  std::copy_n(payload.begin(), len, area.begin());
  Write(frame_.FinishEther(l2, kEtherProfinet, len));
}

void Engine::SendArp(uint32_t asker, uint32_t target, bool reply, bool gratuitous) {
  const Host& a = sc_.hosts[asker];
  const Host& t = sc_.hosts[target];
  const uint16_t vlan = sc_.zones[a.zone].plan.vlan;
  if (gratuitous) {
    Write(frame_.Arp(L2{kBroadcast, a.mac, vlan}, 1, a.mac, a.ip, core::MacAddr{}, a.ip));
  } else if (!reply) {
    Write(frame_.Arp(L2{kBroadcast, a.mac, vlan}, 1, a.mac, a.ip, core::MacAddr{}, t.ip));
  } else {
    Write(frame_.Arp(L2{a.mac, t.mac, vlan}, 2, t.mac, t.ip, a.mac, a.ip));
  }
}

void Engine::Write(std::span<const uint8_t> frame) {
  if (written_ >= options_.packets || !status_.ok()) return;
  FrameTag tag = next_tag_;
  tag.plant = current_plant_;
  if (next_tag_.plant != current_plant_) tag.round = -1;
  next_tag_ = FrameTag{};
  status_ = sink_.Write(core::Timestamp{kStartNs + now_}, frame, tag);
  ++written_;
  bytes_ += frame.size();
}

}  // namespace qw::simulate
