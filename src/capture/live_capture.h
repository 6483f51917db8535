// Live capture from a network interface through libpcap, with a BPF filter.
//
// Frames are views into libpcap's ring buffer, valid until the next Next(). Next() waits at
// most the given time for a packet, so the caller's loop can watch the clock and the stop
// flag; RequestStop() may be called from a signal handler and wakes a waiting Next().
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/capture_file.h"
#include "capture/frame.h"
#include "core/result.h"

struct pcap;  // libpcap's pcap_t, kept out of this header

namespace qw::capture {

/// Counters of a live capture, as far as the kernel and the driver report them.
struct LiveStats {
  uint64_t received = 0;           // packets the filter passed (kernel count)
  uint64_t kernel_dropped = 0;     // dropped because the buffer was full
  uint64_t interface_dropped = 0;  // dropped by the interface or its driver
  uint64_t delivered = 0;          // frames handed out by Next()
};

/// One open live capture on one interface.
class LiveCapture {
 public:
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  /// Opens `interface` in promiscuous mode with an optional BPF filter (empty: all traffic).
  /// Fails with a message naming the interface, or the filter and libpcap's complaint.
  static core::Result<std::unique_ptr<LiveCapture>> Open(const std::string& interface,
                                                         const std::string& bpf_filter,
                                                         int snaplen = kMaxCaptureLength,
                                                         int buffer_bytes = 32 << 20,
                                                         bool immediate = true);

  /// Delivers the next frame, waiting up to timeout_ms for one; false on timeout, after
  /// RequestStop(), or when the capture failed (then error() says why).
  bool Next(Frame& out, int timeout_ms);
  /// Asks a running Next() to return and every later one to return false. Safe to call from
  /// a signal handler.
  void RequestStop();
  /// True once RequestStop() has been called.
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }
  /// Counters so far (kernel counters are widened from libpcap's 32 bits on each call).
  LiveStats Stats();
  /// Link type of the interface.
  uint32_t link_type() const { return link_type_; }
  /// Why the capture failed, or empty.
  const std::string& error() const { return error_; }
  /// A warning libpcap gave when opening (e.g. promiscuous mode not supported), or empty.
  const std::string& warning() const { return warning_; }

 private:
  LiveCapture(pcap* handle, std::string interface);

  pcap* handle_;
  std::string interface_;
  std::string error_;
  std::string warning_;
  std::atomic<bool> stop_{false};
  int select_fd_ = -1;          // libpcap's descriptor to poll, or -1 if none
  int wake_fds_[2] = {-1, -1};  // self-pipe: RequestStop() writes to [1]
  bool nanosecond_ = false;
  uint32_t link_type_ = 0;
  uint64_t delivered_ = 0;
  LiveStats stats_;
  uint32_t last_recv_ = 0, last_drop_ = 0, last_ifdrop_ = 0;
};

}  // namespace qw::capture
