#include "app/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "app/link_type_counter.h"
#include "capture/frame.h"
#include "core/address.h"

namespace qw::app {

namespace {

constexpr size_t kBatchFrames = 512;        // frames read in one turn
constexpr size_t kBatchBytes = 1 << 20;     // ... or fewer, past this many bytes
constexpr size_t kMaxBatchesInFlight = 16;  // read but not yet processed by every shard

// A frame, decoded once to find its shard.
struct Item {
  capture::Frame frame;
  decode::Packet pkt;
  uint32_t capture_index = 0;
  bool redecode = false;  // a fragment (or unknown link type): the shard decodes it itself
};

// Frames read in one turn, split among the shards.
struct Batch {
  uint64_t seq = 0;
  uint32_t file = 0;
  uint64_t last_offset = 0;
  core::Timestamp last_ts;
  bool split = false;  // parts are filled
  size_t done = 0;     // shards that processed their part
  std::vector<std::vector<Item>> parts;
};

}  // namespace

size_t ShardOf(const decode::Packet& pkt, size_t n) {
  if (n <= 1) return 0;
  if (pkt.l3 != decode::L3::kIpv4 && pkt.l3 != decode::L3::kIpv6) return 0;
  const uint64_t a = core::HashIp(pkt.src_ip), b = core::HashIp(pkt.dst_ip);
  const uint64_t h = core::Mix64(std::min(a, b) ^ core::Mix64(std::max(a, b)) ^
                                 (uint64_t{pkt.outer_vlan} << 16 | pkt.inner_vlan));
  return static_cast<size_t>(h % n);
}

struct ParallelAnalysis::State {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::unique_ptr<Batch>> in_flight;  // by seq, oldest first
  uint64_t next_seq = 0;
  std::vector<uint64_t> next_part;  // per shard: the seq of the part it processes next
  std::vector<std::unique_ptr<capture::CaptureReader>>* readers = nullptr;
  model::RunReport* report = nullptr;
  std::vector<LinkTypeCounter> tallies;
  size_t file = 0;
  bool exhausted = false;
  std::vector<core::Anomalies> peek_anomalies;  // per thread: decode anomalies of its reads
  EngineLimits limits;
  uint64_t frames_read = 0, bytes_read = 0;
};

ParallelAnalysis::ParallelAnalysis(size_t threads, EngineLimits limits, FlowRecordSink* sink)
    : state_(std::make_unique<State>()) {
  threads = std::max<size_t>(threads, 1);
  state_->limits = limits;
  EngineLimits shard = limits;
  // The caps bound the whole run: each shard holds its part of them.
  shard.flows.max_flows = std::max<size_t>(limits.flows.max_flows / threads, 1);
  shard.flows.max_stream_memory = limits.flows.max_stream_memory / threads;
  shard.decoder.max_fragment_bytes =
      std::max<size_t>(limits.decoder.max_fragment_bytes / threads, 1);
  shard.decoder.max_fragment_datagrams =
      std::max<size_t>(limits.decoder.max_fragment_datagrams / threads, 1);
  for (size_t i = 0; i < threads; ++i) engines_.push_back(std::make_unique<Engine>(shard, sink));
  state_->next_part.assign(threads, 0);
  state_->peek_anomalies.resize(threads);
}

ParallelAnalysis::~ParallelAnalysis() = default;

namespace {

// Fills `batch` with up to kBatchFrames frames of the current file; advances to the next
// file at the end of one. Called with the lock held.
void ReadBatch(std::vector<std::unique_ptr<capture::CaptureReader>>& readers,
               model::RunReport& report, std::vector<LinkTypeCounter>& tallies, size_t& file,
               bool& exhausted, Batch& batch, std::vector<capture::Frame>& frames) {
  while (frames.empty() && !exhausted) {
    auto& reader = *readers[file];
    auto& fr = report.files[file];
    batch.file = static_cast<uint32_t>(file);
    size_t bytes = 0;
    capture::Frame f;
    while (frames.size() < kBatchFrames && bytes < kBatchBytes && reader.Next(f)) {
      fr.CountFrame(f.ts, f.orig_len);
      tallies[file].Count(f.link_type);
      bytes += f.data.size();
      frames.push_back(f);
    }
    if (frames.size() < kBatchFrames && bytes < kBatchBytes) {
      // The reader ended: cleanly, or at a bad record.
      if (const auto& err = reader.error()) {
        fr.error = model::FileError{err->record, err->offset, err->message};
      }
      if (++file == readers.size()) exhausted = true;
    }
  }
}

}  // namespace

void ParallelAnalysis::Run(std::vector<std::unique_ptr<capture::CaptureReader>>& readers,
                           const std::vector<std::string>& paths, model::RunReport& report) {
  State& st = *state_;
  st.readers = &readers;
  st.report = &report;
  st.tallies.assign(readers.size(), {});
  for (size_t i = 0; i < readers.size(); ++i) {
    model::FileReport f;
    f.path = paths[i];
    f.format = readers[i]->format();
    f.compressed = readers[i]->compressed();
    report.files.push_back(std::move(f));
  }
  st.exhausted = readers.empty();
  const size_t n = engines_.size();
  if (n == 1) {
    RunOneThread(readers, report);
    return;
  }

  auto worker = [&](size_t me) {
    Engine& engine = *engines_[me];
    decode::DecoderLimits peek_limits = st.limits.decoder;
    peek_limits.reassemble = false;
    decode::Decoder peek(peek_limits);
    core::Anomalies scratch;
    std::vector<capture::Frame> frames;
    std::unique_lock lk(st.mu);
    for (;;) {
      // 1. This shard's next part, if it has been split.
      Batch* mine = nullptr;
      if (!st.in_flight.empty()) {
        uint64_t front = st.in_flight.front()->seq;
        uint64_t want = st.next_part[me];
        if (want >= front && want - front < st.in_flight.size()) {
          Batch* b = st.in_flight[want - front].get();
          if (b->split) mine = b;
        }
      }
      if (mine) {
        std::vector<Item> items = std::move(mine->parts[me]);
        const core::Timestamp now = mine->last_ts;
        lk.unlock();
        for (const Item& it : items) {
          if (it.redecode)
            engine.OnFrame(it.frame, it.capture_index);
          else
            engine.OnDecoded(it.frame, it.capture_index, it.pkt);
        }
        engine.AdvanceTo(now);
        lk.lock();
        ++st.next_part[me];
        ++mine->done;
        // Batches every shard has processed are retired; their pages may go.
        while (!st.in_flight.empty() && st.in_flight.front()->done == n) {
          const Batch& old = *st.in_flight.front();
          (*st.readers)[old.file]->ReleaseBefore(old.last_offset + 1);
          st.in_flight.pop_front();
        }
        st.cv.notify_all();
        continue;
      }
      // 2. Read a batch and split it, if not too many are in flight.
      if (!st.exhausted && st.in_flight.size() < kMaxBatchesInFlight) {
        auto batch = std::make_unique<Batch>();
        frames.clear();
        ReadBatch(readers, report, st.tallies, st.file, st.exhausted, *batch, frames);
        if (frames.empty()) continue;
        st.frames_read += frames.size();
        for (const auto& f : frames) st.bytes_read += f.data.size();
        if (progress_) progress_(st.frames_read, st.bytes_read);
        batch->seq = st.next_seq++;
        Batch* b = batch.get();
        st.in_flight.push_back(std::move(batch));
        lk.unlock();
        std::vector<std::vector<Item>> parts(n);
        for (auto& part : parts) part.reserve(frames.size() / n + 8);
        for (const capture::Frame& f : frames) {
          Item item;
          item.frame = f;
          item.capture_index = b->file;
          scratch.Clear();
          bool known = peek.Decode(f.link_type, f.ts, f.data, item.pkt, scratch, f.orig_len);
          size_t shard = 0;
          if (!known || item.pkt.ip_fragment) {
            // The owning shard decodes it again (reassembling, or raising the link-type
            // anomaly): what this decode raised would be counted twice.
            item.redecode = true;
            shard = known ? ShardOf(item.pkt, n) : 0;
          } else {
            if (!scratch.empty()) st.peek_anomalies[me].Merge(scratch);
            shard = ShardOf(item.pkt, n);
          }
          b->last_offset = f.offset;
          if (f.ts > b->last_ts) b->last_ts = f.ts;
          parts[shard].push_back(std::move(item));
        }
        lk.lock();
        b->parts = std::move(parts);
        b->split = true;
        st.cv.notify_all();
        continue;
      }
      // 3. Finished, or waiting for another thread.
      if (st.exhausted && st.next_part[me] == st.next_seq) break;
      st.cv.wait(lk);
    }
    lk.unlock();
    engine.Finish();
  };

  std::vector<std::thread> threads;
  for (size_t i = 1; i < n; ++i) threads.emplace_back(worker, i);
  worker(0);
  for (auto& t : threads) t.join();

  for (size_t i = 0; i < readers.size(); ++i) st.tallies[i].WriteTo(report.files[i]);
  merged_ = std::make_unique<model::Inventory>(st.limits.inventory);
  for (const auto& e : engines_) merged_->Merge(e->inventory());
}

// One shard needs no batches, no hand-offs and no second decode: frames go straight from
// the reader to the engine, as fast as one core allows.
void ParallelAnalysis::RunOneThread(std::vector<std::unique_ptr<capture::CaptureReader>>& readers,
                                    model::RunReport& report) {
  State& st = *state_;
  Engine& engine = *engines_[0];
  uint64_t frames = 0, bytes = 0;
  for (size_t i = 0; i < readers.size(); ++i) {
    auto& reader = *readers[i];
    auto& fr = report.files[i];
    auto& tally = st.tallies[i];
    capture::Frame f;
    while (reader.Next(f)) {
      fr.CountFrame(f.ts, f.orig_len);
      tally.Count(f.link_type);
      engine.OnFrame(f, static_cast<uint32_t>(i));
      reader.ReleaseBefore(f.offset);
      bytes += f.data.size();
      if ((++frames & 0xfff) == 0 && progress_) progress_(frames, bytes);
    }
    if (const auto& err = reader.error()) {
      fr.error = model::FileError{err->record, err->offset, err->message};
    }
  }
  engine.Finish();
  for (size_t i = 0; i < readers.size(); ++i) st.tallies[i].WriteTo(report.files[i]);
  // The one engine's inventory is the whole: inventory() answers with it, uncopied.
}

model::FrameCounts ParallelAnalysis::frame_counts() const {
  model::FrameCounts c;
  for (const auto& e : engines_) c.Add(e->frame_counts());
  return c;
}

model::FlowCounts ParallelAnalysis::flow_counts() const {
  model::FlowCounts c;
  for (const auto& e : engines_) {
    auto s = e->flow_counts();
    c.tcp += s.tcp;
    c.udp += s.udp;
    c.other += s.other;
    c.evicted += s.evicted;
    c.peak_live += s.peak_live;
  }
  return c;
}

model::ProtocolCounter ParallelAnalysis::protocols() const {
  model::ProtocolCounter c;
  for (const auto& e : engines_) c.Merge(e->protocols());
  return c;
}

core::Anomalies ParallelAnalysis::anomalies() const {
  core::Anomalies a;
  for (const auto& e : engines_) a.Merge(e->anomalies());
  for (const auto& p : state_->peek_anomalies) a.Merge(p);
  return a;
}

}  // namespace qw::app
