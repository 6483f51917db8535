// Tests of the Engine's handling of repeated LLDP and CDP announcements: a switch sends the
// same frame every 30 or 60 seconds, and a repeat is only noted again (time and frame), never
// read into a new observation. The outputs must be those of reading every frame, and a repeat
// must cost no allocation: this binary counts every operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "app/engine.h"
#include "model/vendor_db.h"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

// Every allocation of the test binary, counted. GCC takes the free() of memory from a
// replaced operator new for a mismatch; here the two belong together.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n != 0 ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace qw::app {
namespace {

// An Ethernet frame carrying LLDP from 00:1b:1b:01:02:03: chassis (MAC), port "p1", TTL 120,
// system name "crane1-sw", `description`, capabilities bridge, end.
std::vector<uint8_t> Lldp(const std::string& description) {
  std::vector<uint8_t> f = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e,  // nearest-bridge multicast
                            0x00, 0x1b, 0x1b, 0x01, 0x02, 0x03,  // sender
                            0x88, 0xcc,                          // LLDP
                            0x02, 0x07, 0x04, 0x00, 0x1b, 0x1b, 0x01, 0x02, 0x03,  // chassis
                            0x04, 0x03, 0x07, 'p',  '1',                           // port
                            0x06, 0x02, 0x00, 0x78,                                // TTL
                            0x0a, 0x09, 'c',  'r',  'a',  'n',  'e',  '1',  '-',  's', 'w'};
  f.push_back(0x0c);  // system description
  f.push_back(static_cast<uint8_t>(description.size()));
  f.insert(f.end(), description.begin(), description.end());
  const uint8_t tail[] = {0x0e, 0x04, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00};  // bridge; end
  f.insert(f.end(), std::begin(tail), std::end(tail));
  return f;
}

// Feeds frames to an Engine, numbering them from 1, a minute apart.
struct Feeder {
  Engine engine{EngineLimits{}, nullptr};
  uint64_t number = 0;
  void Feed(const std::vector<uint8_t>& bytes) {
    capture::Frame f;
    f.link_type = capture::kLinkEthernet;
    f.number = ++number;
    f.ts = core::Timestamp{static_cast<int64_t>(number) * 60'000'000'000};
    f.orig_len = static_cast<uint32_t>(bytes.size());
    f.data = bytes;
    engine.OnFrame(f, 0);
  }
  // The sender's asset.
  model::Asset Switch() {
    engine.Finish();
    for (auto& a : engine.inventory().Finalize(model::VendorDb{})) {
      if (a.mac && a.mac->ToString() == "00:1b:1b:01:02:03") return a;
    }
    ADD_FAILURE() << "no asset for the switch";
    return {};
  }
};

TEST(NeighborRepeat, TheLatestAnnouncementAndItsFrameWin) {
  const auto a = Lldp("SCALANCE X308 V4.1"), b = Lldp("SCALANCE X308 V4.2");
  Feeder f;
  for (const auto* frame : {&a, &a, &a, &b, &a}) f.Feed(*frame);
  const model::Asset sw = f.Switch();
  ASSERT_EQ(sw.neighbors.size(), 1u);
  EXPECT_EQ(sw.neighbors[0].system_description, "SCALANCE X308 V4.1");
  EXPECT_EQ(sw.identity.at("description"), "SCALANCE X308 V4.1");
  EXPECT_EQ(sw.identity_evidence.at("description").frame, 5u);  // the last, repeated, one
  EXPECT_EQ(sw.packets, 5u);
  EXPECT_EQ(sw.last_ts.ns, 5 * int64_t{60'000'000'000});

  Feeder g;
  for (const auto* frame : {&a, &a, &b, &b}) g.Feed(*frame);
  const model::Asset sw2 = g.Switch();
  ASSERT_EQ(sw2.neighbors.size(), 1u);
  EXPECT_EQ(sw2.neighbors[0].system_description, "SCALANCE X308 V4.2");
  EXPECT_EQ(sw2.identity_evidence.at("description").frame, 4u);
}

TEST(NeighborRepeat, ARepeatCostsNoAllocation) {
  const auto a = Lldp("SCALANCE X308 V4.1");
  Feeder f;
  f.Feed(a);  // read, and stored
  f.Feed(a);  // the first repeat (the inventory's per-sender state may still grow)
  const uint64_t before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) f.Feed(a);
  EXPECT_EQ(g_allocations.load() - before, 0u);
  // The same frame from another sender is read: it is no repeat of that sender's.
  auto other = a;
  other[11] = 0x04;
  const uint64_t reading = g_allocations.load();
  f.Feed(other);
  EXPECT_GT(g_allocations.load() - reading, 0u);
}

TEST(NeighborRepeat, AFrameThatRaisesAnAnomalyIsReadEveryTime) {
  auto bad = Lldp("SCALANCE X308 V4.1");
  bad.resize(bad.size() - 2);  // no End TLV
  bad.back() = 0x40;           // and a last TLV cut short
  Feeder f;
  for (int i = 0; i < 3; ++i) f.Feed(bad);
  uint64_t total = 0;
  for (const auto& [name, n] : f.engine.anomalies().counts()) {
    if (name.rfind("lldp.", 0) == 0) total += n;
  }
  EXPECT_EQ(total % 3, 0u);
  EXPECT_GE(total, 3u);  // every frame counted, none taken for a repeat
}

}  // namespace
}  // namespace qw::app
