// RFC 854 (Telnet protocol), RFC 855 (option specifications), RFC 1091 (terminal type).
//
// clang-format off
//  data:           any octet except IAC; IAC IAC is a data 0xff
//  negotiation:    | IAC | WILL/WONT/DO/DONT (251-254) | option |
//  subnegotiation: | IAC | SB (250) | option | parameters (IAC doubled) | IAC | SE (240) |
//  other commands: | IAC | command (241-249) |
// clang-format on
#include "dissect/telnet/telnet_parser.h"

#include "core/byte_reader.h"

namespace qw::dissect::telnet {

void Scan(std::span<const uint8_t> bytes, ScanState& state, ScanSink& sink) {
  using At = ScanState::At;
  core::ByteReader r(bytes);
  while (!r.empty()) {
    const uint8_t b = r.U8();
    switch (state.at) {
      case At::kData:
        if (b == kIac) {
          state.at = At::kAfterIac;
        } else {
          sink.OnDataByte(b);
        }
        break;
      case At::kAfterIac:
        if (b == kIac) {
          sink.OnDataByte(b);
          state.at = At::kData;
        } else if (b >= kWill && b <= kDont) {
          state.command = b;
          state.at = At::kOption;
        } else if (b == kSb) {
          state.sub.Clear();
          state.sub_truncated = false;
          state.at = At::kSub;
        } else {
          sink.OnCommand(b);
          state.at = At::kData;
        }
        break;
      case At::kOption:
        sink.OnNegotiation(state.command, b);
        state.at = At::kData;
        break;
      case At::kSub:
        if (b == kIac) {
          state.at = At::kSubAfterIac;
        } else if (state.sub.size() < state.sub.capacity()) {
          state.sub.Append(static_cast<char>(b));
        } else {
          state.sub_truncated = true;
        }
        break;
      case At::kSubAfterIac:
        if (b == kSe) {
          sink.OnSubnegotiation(state.sub.view(), state.sub_truncated);
          state.at = At::kData;
        } else if (b == kIac) {
          if (state.sub.size() < state.sub.capacity()) {
            state.sub.Append(static_cast<char>(b));
          } else {
            state.sub_truncated = true;
          }
          state.at = At::kSub;
        } else {
          // RFC 855 wants IAC SE; a command inside a subnegotiation ends it.
          sink.OnSubnegotiation(state.sub.view(), state.sub_truncated);
          sink.OnCommand(b);
          state.at = At::kData;
        }
        break;
    }
  }
}

namespace {

bool EndsWithNoCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  text = text.substr(text.size() - suffix.size());
  for (size_t i = 0; i < suffix.size(); ++i) {
    char c = text.substr(i, 1).front();
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix.substr(i, 1).front()) return false;
  }
  return true;
}

}  // namespace

bool IsLoginPrompt(std::string_view tail) {
  while (!tail.empty() && tail.back() == ' ') tail.remove_suffix(1);
  return EndsWithNoCase(tail, "login:") || EndsWithNoCase(tail, "username:");
}

const char* OptionName(uint8_t option) {
  switch (option) {
    case 0:
      return "binary";
    case 1:
      return "echo";
    case 3:
      return "suppress-go-ahead";
    case 5:
      return "status";
    case 24:
      return "terminal-type";
    case 31:
      return "window-size";
    case 32:
      return "terminal-speed";
    case 33:
      return "remote-flow-control";
    case 34:
      return "linemode";
    case 35:
      return "x-display-location";
    case 36:
      return "environment";
    case 37:
      return "authentication";
    case 38:
      return "encryption";
    case 39:
      return "new-environment";
    default:
      return "";
  }
}

}  // namespace qw::dissect::telnet
