#include "model/protocol_stats.h"

#include <cstring>

namespace qw::model {

void ProtocolStats::Add(const ProtocolStats& o) {
  pdus += o.pdus;
  requests += o.requests;
  responses += o.responses;
  exceptions += o.exceptions;
  frames += o.frames;
  for (const auto& [name, h] : o.histograms) {
    auto& mine = histograms[name];
    for (const auto& [code, n] : h) mine[code] += n;
  }
}

ProtocolCounter::Entry& ProtocolCounter::Find(const char* name) {
  if (last_ < entries_.size() && entries_[last_].name == name) return entries_[last_];
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].name == name) {
      last_ = i;
      return entries_[i];
    }
  }
  entries_.push_back(Entry{name, {}, ~uint32_t{0}, ~uint64_t{0}});
  last_ = entries_.size() - 1;
  return entries_.back();
}

void ProtocolCounter::Bump(ProtocolStats& s, const char* histogram, uint32_t code,
                           core::Anomalies& anomalies) {
  auto h = s.histograms.find(histogram);
  if (h == s.histograms.end())
    h = s.histograms.emplace(histogram, std::map<uint32_t, uint64_t>{}).first;
  auto it = h->second.find(code);
  if (it != h->second.end()) {
    ++it->second;
    return;
  }
  if (h->second.size() >= kMaxCodesPerHistogram) {
    anomalies.Raise("protocols.histogram_full");
    ++h->second[kOverflowCode];
    return;
  }
  h->second.emplace(code, 1);
}

void ProtocolCounter::OnPdu(const dissect::PduObservation& p, core::Anomalies& anomalies) {
  Entry& e = Find(p.protocol);
  ++e.stats.pdus;
  e.stats.requests += p.kind == dissect::PduKind::kRequest;
  e.stats.responses += p.kind == dissect::PduKind::kResponse;
  e.stats.exceptions += p.exception;
  // A frame counts once however many PDUs of the protocol it completes.
  if (p.frame != e.last_frame || p.capture_index != e.last_capture) {
    ++e.stats.frames;
    e.last_frame = p.frame;
    e.last_capture = p.capture_index;
  }
  if (p.histogram && *p.histogram) Bump(e.stats, p.histogram, p.code, anomalies);
}

void ProtocolCounter::OnDetail(const dissect::PduDetail& d, core::Anomalies& anomalies) {
  Bump(Find(d.protocol).stats, d.histogram, d.code, anomalies);
}

void ProtocolCounter::Merge(const ProtocolCounter& other) {
  for (const auto& e : other.entries_) Find(e.name.c_str()).stats.Add(e.stats);
}

std::map<std::string, ProtocolStats> ProtocolCounter::Result() const {
  std::map<std::string, ProtocolStats> out;
  for (const auto& e : entries_) out[e.name].Add(e.stats);
  return out;
}

}  // namespace qw::model
