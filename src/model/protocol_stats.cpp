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
  text_histograms.insert(o.text_histograms.begin(), o.text_histograms.end());
}

ProtocolCounter::Entry& ProtocolCounter::Find(std::string_view name) {
  for (Entry& e : entries_) {
    if (e.name == name) return e;
  }
  entries_.emplace_back();
  entries_.back().name = name;
  return entries_.back();
}

ProtocolCounter::Histogram& ProtocolCounter::FindHistogram(Entry& e, std::string_view name) {
  for (Histogram& h : e.histograms) {
    if (h.name == name) return h;
  }
  e.histograms.emplace_back();
  e.histograms.back().name = name;
  return e.histograms.back();
}

void ProtocolCounter::BumpSlow(Histogram& h, uint32_t code, uint64_t n,
                               core::Anomalies* anomalies) {
  uint64_t* slot = nullptr;
  if (code < kDenseCodes) {
    slot = &h.low[code];
  } else if (auto it = h.high.find(code); it != h.high.end()) {
    slot = &it->second;
  }
  if (slot && *slot) {
    *slot += n;
    if (code >= kDenseCodes) h.recent.Put(code, slot);
    return;
  }
  if (h.distinct >= kMaxCodesPerHistogram) {
    if (anomalies) anomalies->Raise("protocols.histogram_full");
    uint64_t& over = h.high[kOverflowCode];
    h.distinct += over == 0;
    over += n;
    return;
  }
  ++h.distinct;
  if (slot) {
    *slot = n;
  } else {
    h.recent.Put(code, &h.high.emplace(code, n).first->second);
  }
}

ProtocolCounter::Slot& ProtocolCounter::FillSlot(Slot& s, const char* protocol,
                                                 const char* histogram) {
  Entry& e = Find(protocol);
  s.protocol = protocol;
  s.histogram = histogram;
  s.entry = static_cast<uint32_t>(&e - entries_.data());
  s.histogram_index =
      histogram ? static_cast<uint32_t>(&FindHistogram(e, histogram) - e.histograms.data()) : 0;
  return s;
}

void ProtocolCounter::OnPdu(const dissect::PduObservation& p, core::Anomalies& anomalies) {
  const char* histogram = p.histogram && *p.histogram ? p.histogram : nullptr;
  const Slot& slot = SlotFor(p.protocol, histogram);
  Entry& e = entries_[slot.entry];
  // A frame counts once however many PDUs of the protocol it completes or carries.
  if (p.frame != e.last_frame || p.capture_index != e.last_capture) {
    ++e.frames;
    e.last_frame = p.frame;
    e.last_capture = p.capture_index;
  }
  if (p.frame_only) return;
  ++e.pdus;
  e.requests += p.kind == dissect::PduKind::kRequest;
  e.responses += p.kind == dissect::PduKind::kResponse;
  e.exceptions += p.exception;
  if (!histogram) return;
  Histogram& h = e.histograms[slot.histogram_index];
  h.text = h.text || p.text_code;
  Bump(h, p.code, 1, &anomalies);
}

void ProtocolCounter::OnDetail(const dissect::PduDetail& d, core::Anomalies& anomalies) {
  if (!d.histogram || !*d.histogram) return;
  const Slot& slot = SlotFor(d.protocol, d.histogram);
  Bump(entries_[slot.entry].histograms[slot.histogram_index], d.code, 1, &anomalies);
}

void ProtocolCounter::OnSession(std::string_view kind, std::string_view name) {
  auto k = sessions_.find(kind);
  if (k == sessions_.end()) k = sessions_.emplace(std::string(kind), decltype(k->second){}).first;
  auto n = k->second.find(name);
  if (n == k->second.end()) n = k->second.emplace(std::string(name), 0).first;
  ++n->second;
}

void ProtocolCounter::Merge(const ProtocolCounter& other) {
  for (const auto& [kind, names] : other.sessions_) {
    for (const auto& [name, n] : names) {
      auto& slot = sessions_[kind][name];
      slot += n;
    }
  }
  for (const auto& o : other.entries_) {
    Entry& e = Find(o.name);
    e.pdus += o.pdus;
    e.requests += o.requests;
    e.responses += o.responses;
    e.exceptions += o.exceptions;
    e.frames += o.frames;
    for (const auto& oh : o.histograms) {
      Histogram& h = FindHistogram(e, oh.name);
      h.text = h.text || oh.text;
      for (uint32_t code = 0; code < kDenseCodes; ++code) {
        if (oh.low[code]) Bump(h, code, oh.low[code], nullptr);
      }
      for (const auto& [code, n] : oh.high) Bump(h, code, n, nullptr);
    }
  }
}

std::map<std::string, ProtocolStats> ProtocolCounter::Result() const {
  std::map<std::string, ProtocolStats> out;
  for (const auto& e : entries_) {
    ProtocolStats s;
    s.pdus = e.pdus;
    s.requests = e.requests;
    s.responses = e.responses;
    s.exceptions = e.exceptions;
    s.frames = e.frames;
    for (const auto& h : e.histograms) {
      auto& codes = s.histograms[h.name];
      for (uint32_t code = 0; code < kDenseCodes; ++code) {
        if (h.low[code]) codes[code] += h.low[code];
      }
      for (const auto& [code, n] : h.high) codes[code] += n;
      if (h.text) s.text_histograms.insert(h.name);
    }
    out[e.name].Add(s);
  }
  return out;
}

}  // namespace qw::model
