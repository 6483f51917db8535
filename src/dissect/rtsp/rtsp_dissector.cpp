#include "dissect/rtsp/rtsp_dissector.h"

#include "dissect/http/http_dissector.h"
#include "dissect/http/http_parser.h"

namespace qw::dissect::rtsp {

ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes) {
  switch (http::CheckStartLine(first_bytes, http::Dialect::kRtsp,
                               dir == flow::Direction::kFromInitiator)) {
    case http::Check::kYes:
      return ProbeResult::kYes;
    case http::Check::kMaybe:
      return ProbeResult::kMaybe;
    case http::Check::kNo:
      break;
  }
  return ProbeResult::kNo;
}

std::unique_ptr<Dissector> Create() { return http::CreateFor(http::Dialect::kRtsp); }

}  // namespace qw::dissect::rtsp
