// IEC 60870-5-104 between the power SCADA (controlling station) and the shore-power units
// (controlled stations), TCP 2404.
//
// IEC 60870-5-104:2006, 5.1 (APCI: I, S and U formats), 5.3 (STARTDT, TESTFR); ASDU of
// IEC 60870-5-101:2003, 7.1-7.3: type 1 M_SP_NA_1, 13 M_ME_NC_1, 45 C_SC_NA_1, 100
// C_IC_NA_1; cause of transmission two octets, common address two, object address three,
// all little-endian.
// clang-format off
//  APCI    | 0x68 | length:1 (control and ASDU) | control:4 |
//  I       | N(S)<<1:2 | N(R)<<1:2 |     S | 0x01 0x00 | N(R)<<1:2 |     U | function:1 | 0 0 0 |
//  ASDU    | type:1 | SQ<<7 | count:1 | T P/N cause:1 | originator:1 | common address:2 |
//          | objects: (address:3 | elements) each, or with SQ one address, then elements |
//  M_ME_NC_1 element | short float:4 | QDS:1 |     M_SP_NA_1 | SIQ:1 |
//  C_SC_NA_1         | SCO:1 |                    C_IC_NA_1 | QOI:1 (20 station) |
// clang-format on
#include <bit>

#include "simulate/ics_payloads.h"

namespace qw::simulate {
namespace {

constexpr uint8_t kStartDtAct = 0x07, kStartDtCon = 0x0b, kTestFrAct = 0x43, kTestFrCon = 0x83;
constexpr uint8_t kSinglePoint = 1, kFloat = 13, kSingleCommand = 45, kInterrogation = 100;
constexpr uint8_t kSpont = 3, kAct = 6, kActCon = 7, kActTerm = 10, kInrogen = 20;
constexpr uint32_t kMeasurementBase = 1001, kPointBase = 2001, kCommandAddress = 3001;
constexpr size_t kMeasurements = 6, kPoints = 4;

// Nominal values of the measurements: voltages L1-L3 (V), current (A), frequency, power.
constexpr float kNominal[kMeasurements] = {6600.0f, 6600.0f, 6600.0f, 410.0f, 60.0f, 4100.0f};

void Apci(ByteWriter& w, size_t asdu) {
  w.U8(0x68);
  w.U8(static_cast<uint8_t>(4 + asdu));
}

void UFrame(ByteWriter& w, uint8_t function) {
  Apci(w, 0);
  w.U8(function);
  w.U8(0);
  w.U8(0);
  w.U8(0);
}

void SFrame(ByteWriter& w, uint32_t received) {
  Apci(w, 0);
  w.U16Le(0x0001);
  w.U16Le(static_cast<uint16_t>(received << 1));
}

// APCI of an I-frame sent by `side`, advancing its send sequence number.
void IFrame(ByteWriter& w, Session& s, int side, size_t asdu) {
  Apci(w, asdu);
  w.U16Le(static_cast<uint16_t>(s.app_seq[side] << 1));
  w.U16Le(static_cast<uint16_t>(s.app_seq[1 - side] << 1));
  s.app_seq[side] = (s.app_seq[side] + 1) & 0x7fff;
}

void AsduHeader(ByteWriter& w, const Session& s, uint8_t type, bool sequence, size_t count,
                uint8_t cause) {
  w.U8(type);
  w.U8(static_cast<uint8_t>((sequence ? 0x80 : 0) | count));
  w.U8(cause);
  w.U8(0);                                      // originator address
  w.U16Le(static_cast<uint16_t>(s.remaining));  // common address of the station
}

void Ioa(ByteWriter& w, uint32_t address) {
  w.U8(static_cast<uint8_t>(address));
  w.U8(static_cast<uint8_t>(address >> 8));
  w.U8(static_cast<uint8_t>(address >> 16));
}

void Measurement(ByteWriter& w, size_t index, Rng& rng) {
  const float value = kNominal[index] * (0.98f + static_cast<float>(rng.Below(400)) / 10000.0f);
  w.U32Le(std::bit_cast<uint32_t>(value));
  w.U8(0x00);  // QDS: good
}

// Interrogation answer: all measurements (SQ=1) or all single points (SQ=1).
void InterrogatedMeasurements(ByteWriter& w, Session& s, Rng& rng) {
  const size_t asdu = 6 + 3 + kMeasurements * 5;
  IFrame(w, s, 1, asdu);
  AsduHeader(w, s, kFloat, true, kMeasurements, kInrogen);
  Ioa(w, kMeasurementBase);
  for (size_t i = 0; i < kMeasurements; ++i) Measurement(w, i, rng);
}

void InterrogatedPoints(ByteWriter& w, Session& s) {
  const size_t asdu = 6 + 3 + kPoints;
  IFrame(w, s, 1, asdu);
  AsduHeader(w, s, kSinglePoint, true, kPoints, kInrogen);
  Ioa(w, kPointBase);
  static constexpr uint8_t kSiq[kPoints] = {0x01, 0x01, 0x00, 0x00};  // breaker, cable on
  w.Bytes(kSiq);                                                      // earth, alarm off
}

void Interrogation(ByteWriter& w, Session& s, int side, uint8_t cause) {
  IFrame(w, s, side, 6 + 3 + 1);
  AsduHeader(w, s, kInterrogation, false, 1, cause);
  Ioa(w, 0);
  w.U8(20);  // QOI: station interrogation
}

void SingleCommand(ByteWriter& w, Session& s, int side, uint8_t cause) {
  IFrame(w, s, side, 6 + 3 + 1);
  AsduHeader(w, s, kSingleCommand, false, 1, cause);
  Ioa(w, kCommandAddress);
  w.U8(0x01);  // SCO: execute, no qualifier, ON (close the shore connection breaker)
}

// One or two measurements that moved, each with its own address (SQ=0).
void Spontaneous(ByteWriter& w, Session& s, Rng& rng) {
  const size_t count = 1 + rng.Below(2);
  IFrame(w, s, 1, 6 + count * (3 + 5));
  AsduHeader(w, s, kFloat, false, count, kSpont);
  const size_t first = rng.Below(kMeasurements - 1);
  for (size_t i = first; i < first + count; ++i) {
    Ioa(w, kMeasurementBase + static_cast<uint32_t>(i));
    Measurement(w, i, rng);
  }
}

void PointChanged(ByteWriter& w, Session& s) {
  IFrame(w, s, 1, 6 + 3 + 1);
  AsduHeader(w, s, kSinglePoint, false, 1, kSpont);
  Ioa(w, kPointBase + 4);  // shore connection breaker position
  w.U8(0x01);
}

void Silent(Session& s) {
  s.msg_len = s.head_len = 0;
  s.more = false;
}

}  // namespace

// Rounds: 0 STARTDT; 1 general interrogation, answered by confirmation, data and
// termination; 2 the controlling station acknowledges (S); then spontaneous measurements
// from the station (the controlling station silent), an S-frame every sixth round and a
// test frame after it; kIec104Control sends one single command in round 4.
void PlanIec104(Session& s, Rng& rng) {
  ByteWriter w(s.head);
  const bool master = s.dir == 0;
  bool more = false;
  if (s.round == 0) {
    UFrame(w, master ? kStartDtAct : kStartDtCon);
  } else if (s.round == 1) {
    if (master) {
      Interrogation(w, s, 0, kAct);
    } else {
      switch (s.msg_index) {
        case 0:
          Interrogation(w, s, 1, kActCon);
          break;
        case 1:
          InterrogatedMeasurements(w, s, rng);
          break;
        case 2:
          InterrogatedPoints(w, s);
          break;
        default:
          Interrogation(w, s, 1, kActTerm);
      }
      more = s.msg_index < 3;
    }
  } else if (s.round == 2) {
    if (!master) return Silent(s);
    SFrame(w, s.app_seq[1]);
  } else if (s.round == 4 && s.variant == kIec104Control) {
    if (master) {
      SingleCommand(w, s, 0, kAct);
    } else if (s.msg_index == 0) {
      SingleCommand(w, s, 1, kActCon);
      more = true;
    } else if (s.msg_index == 1) {
      SingleCommand(w, s, 1, kActTerm);
      more = true;
    } else {
      PointChanged(w, s);
    }
  } else {
    const uint32_t phase = (s.round - 3) % 6;
    if (phase < 4) {
      if (master) return Silent(s);
      Spontaneous(w, s, rng);
    } else if (phase == 4) {
      if (!master) return Silent(s);
      SFrame(w, s.app_seq[1]);
    } else {
      UFrame(w, master ? kTestFrAct : kTestFrCon);
    }
  }
  SetMessage(s, w, more);
}

}  // namespace qw::simulate
