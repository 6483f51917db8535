// live_capture_probe IFACE SECONDS [FILTER]: captures for a while and prints what it saw,
// one fact per line ("listening", then "frames N", "kernel_dropped N",
// "interface_dropped N", and each distinct "src_mac M" and "src_ip A"), for
// live_veth_test.sh.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "capture/live_capture.h"
#include "core/address.h"
#include "core/byte_reader.h"

namespace {

qw::capture::LiveCapture* g_live = nullptr;

void OnSignal(int) {
  if (g_live != nullptr) g_live->RequestStop();
}

// Notes the Ethernet source and the IPv4 or ARP sender address of one frame.
void Note(std::span<const uint8_t> frame, std::set<std::string>& macs, std::set<std::string>& ips) {
  qw::core::ByteReader r(frame);
  r.Skip(6);
  const auto src = qw::core::MacAddr::From(r.Bytes(6));
  uint16_t ethertype = r.U16Be();
  if (ethertype == 0x8100) {
    r.Skip(2);
    ethertype = r.U16Be();
  }
  if (!r.ok()) return;
  macs.insert(src.ToString());
  if (ethertype == 0x0800) {
    qw::core::ByteReader ip = r;
    ip.Skip(12);
    auto addr = ip.Bytes(4);
    if (ip.ok()) ips.insert(qw::core::IpAddr::V4(addr).ToString());
  } else if (ethertype == 0x0806) {
    qw::core::ByteReader arp = r;
    arp.Skip(14);  // hardware and protocol types and sizes, operation, sender MAC
    auto addr = arp.Bytes(4);
    if (arp.ok()) ips.insert(qw::core::IpAddr::V4(addr).ToString());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s IFACE SECONDS [FILTER]\n", argv[0]);
    return 2;
  }
  auto live = qw::capture::LiveCapture::Open(argv[1], argc > 3 ? argv[3] : "");
  if (!live.ok()) {
    std::fprintf(stderr, "%s\n", live.error().message.c_str());
    return 2;
  }
  g_live = live->get();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::printf("listening\n");
  std::fflush(stdout);

  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(argv[2]));
  std::set<std::string> macs, ips;
  qw::capture::Frame frame;
  while (!(*live)->stop_requested() && std::chrono::steady_clock::now() < end) {
    if ((*live)->Next(frame, 100) && frame.link_type == qw::capture::kLinkEthernet) {
      Note(frame.data, macs, ips);
    }
  }
  if (!(*live)->error().empty()) std::fprintf(stderr, "%s\n", (*live)->error().c_str());
  const auto stats = (*live)->Stats();
  std::printf("frames %llu\n", static_cast<unsigned long long>(stats.delivered));
  std::printf("kernel_dropped %llu\n", static_cast<unsigned long long>(stats.kernel_dropped));
  std::printf("interface_dropped %llu\n", static_cast<unsigned long long>(stats.interface_dropped));
  for (const auto& m : macs) std::printf("src_mac %s\n", m.c_str());
  for (const auto& a : ips) std::printf("src_ip %s\n", a.c_str());
  return (*live)->error().empty() ? 0 : 1;
}
