#include "capture/live_capture.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace qw::capture {
namespace {

// How long libpcap may hold packets before handing over a batch, when not in immediate mode.
constexpr int kPcapTimeoutMs = 100;

// Turns a failed pcap_activate() into a message naming the interface.
std::string ActivateError(pcap_t* p, int rc, const std::string& interface) {
  const char* detail = pcap_geterr(p);
  if (rc == PCAP_ERROR || detail == nullptr || *detail == '\0') {
    return fmt::format("{}: {}", interface,
                       rc == PCAP_ERROR && detail != nullptr ? detail : pcap_statustostr(rc));
  }
  return fmt::format("{}: {} ({})", interface, pcap_statustostr(rc), detail);
}

}  // namespace

LiveCapture::LiveCapture(pcap* handle, std::string interface)
    : handle_(handle), interface_(std::move(interface)) {}

LiveCapture::~LiveCapture() {
  if (handle_ != nullptr) pcap_close(handle_);
  for (int fd : wake_fds_) {
    if (fd >= 0) ::close(fd);
  }
}

core::Result<std::unique_ptr<LiveCapture>> LiveCapture::Open(const std::string& interface,
                                                             const std::string& bpf_filter,
                                                             int snaplen, int buffer_bytes,
                                                             bool immediate) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_create(interface.c_str(), errbuf);
  if (p == nullptr) return core::MakeError(fmt::format("{}: {}", interface, errbuf));
  std::unique_ptr<LiveCapture> live(new LiveCapture(p, interface));

  pcap_set_snaplen(p, snaplen);
  pcap_set_promisc(p, 1);
  pcap_set_timeout(p, kPcapTimeoutMs);
  pcap_set_buffer_size(p, buffer_bytes);
  pcap_set_immediate_mode(p, immediate ? 1 : 0);
  // Nanosecond stamps where the platform has them; microseconds otherwise.
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
  const int rc = pcap_activate(p);
  if (rc < 0) return core::MakeError(ActivateError(p, rc, interface));
  if (rc > 0) live->warning_ = ActivateError(p, rc, interface);
  live->nanosecond_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  live->link_type_ = static_cast<uint32_t>(pcap_datalink(p));

  if (!bpf_filter.empty()) {
    bpf_program program{};
    if (pcap_compile(p, &program, bpf_filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return core::MakeError(
          fmt::format("{}: bpf filter '{}': {}", interface, bpf_filter, pcap_geterr(p)));
    }
    const int set = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (set != 0) {
      return core::MakeError(
          fmt::format("{}: bpf filter '{}': {}", interface, bpf_filter, pcap_geterr(p)));
    }
  }

  if (::pipe2(live->wake_fds_, O_NONBLOCK | O_CLOEXEC) != 0) {
    return core::MakeError(fmt::format("{}: pipe: {}", interface, strerror(errno)));
  }
  // Non-blocking reads plus poll() let Next() honour its own timeout and wake on a stop.
  live->select_fd_ = pcap_get_selectable_fd(p);
  if (live->select_fd_ >= 0 && pcap_setnonblock(p, 1, errbuf) != 0) {
    return core::MakeError(fmt::format("{}: {}", interface, errbuf));
  }
  return live;
}

bool LiveCapture::Next(Frame& out, int timeout_ms) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (stop_requested() || !error_.empty()) return false;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_, &header, &data);
    if (rc == 1) {
      out.ts.ns = static_cast<int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                  static_cast<int64_t>(header->ts.tv_usec) * (nanosecond_ ? 1 : 1000);
      out.link_type = link_type_;
      out.orig_len = header->len;
      out.interface_id = 0;
      out.number = ++delivered_;
      out.data = {data, header->caplen};
      return true;
    }
    if (rc == PCAP_ERROR_BREAK) return false;
    if (rc < 0) {
      error_ = fmt::format("{}: {}", interface_, pcap_geterr(handle_));
      return false;
    }
    // Nothing waiting. Without a selectable descriptor, pcap_next_ex already waited.
    if (attempt == 1 || timeout_ms <= 0 || select_fd_ < 0) return false;
    pollfd fds[2] = {{select_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (::poll(fds, 2, timeout_ms) <= 0) return false;
  }
  return false;
}

void LiveCapture::RequestStop() {
  stop_.store(true, std::memory_order_relaxed);
  pcap_breakloop(handle_);
  const char byte = 1;
  // A full pipe already wakes the poll; nothing to do if the write fails.
  [[maybe_unused]] ssize_t ignored = ::write(wake_fds_[1], &byte, 1);
}

LiveStats LiveCapture::Stats() {
  pcap_stat ps{};
  if (pcap_stats(handle_, &ps) == 0) {
    // libpcap's counters are 32 bits and wrap; unsigned differences survive one wrap.
    stats_.received += static_cast<uint32_t>(ps.ps_recv - last_recv_);
    stats_.kernel_dropped += static_cast<uint32_t>(ps.ps_drop - last_drop_);
    stats_.interface_dropped += static_cast<uint32_t>(ps.ps_ifdrop - last_ifdrop_);
    last_recv_ = ps.ps_recv;
    last_drop_ = ps.ps_drop;
    last_ifdrop_ = ps.ps_ifdrop;
  }
  stats_.delivered = delivered_;
  return stats_;
}

}  // namespace qw::capture
