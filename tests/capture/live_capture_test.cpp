// LiveCapture on the loopback interface: errors name the interface or filter; a datagram
// sent to ourselves is seen. Skipped where capturing is not permitted.
#include "capture/live_capture.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace qw::capture {
namespace {

// Skips the test unless the loopback interface can be opened for capture.
#define SKIP_UNLESS_CAPTURE_ALLOWED()                                                   \
  do {                                                                                  \
    auto probe = LiveCapture::Open("lo", "");                                           \
    if (!probe.ok()) GTEST_SKIP() << "cannot capture on lo: " << probe.error().message; \
  } while (false)

TEST(LiveCapture, UnknownInterfaceIsNamed) {
  auto live = LiveCapture::Open("qwnosuchif0", "");
  ASSERT_FALSE(live.ok());
  EXPECT_TRUE(live.error().message.starts_with("qwnosuchif0: ")) << live.error().message;
}

TEST(LiveCapture, BadFilterIsNamedWithLibpcapsReason) {
  SKIP_UNLESS_CAPTURE_ALLOWED();
  auto live = LiveCapture::Open("lo", "tcp port banana");
  ASSERT_FALSE(live.ok());
  EXPECT_TRUE(live.error().message.starts_with("lo: bpf filter 'tcp port banana': "))
      << live.error().message;
  EXPECT_GT(live.error().message.size(), std::string("lo: bpf filter 'tcp port banana': ").size());
}

TEST(LiveCapture, SeesADatagramSentToItself) {
  SKIP_UNLESS_CAPTURE_ALLOWED();
  auto live = LiveCapture::Open("lo", "udp and dst port 47999");
  ASSERT_TRUE(live.ok()) << live.error().message;
  EXPECT_EQ((*live)->link_type(), kLinkEthernet);

  const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(47999);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char payload[] = "quaywatch-live-test";
  ASSERT_EQ(::sendto(sock, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(sizeof payload));
  ::close(sock);

  Frame frame;
  bool seen = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    if (!(*live)->Next(frame, 200)) continue;
    const std::string_view bytes(reinterpret_cast<const char*>(frame.data.data()),
                                 frame.data.size());
    seen = bytes.find("quaywatch-live-test") != std::string_view::npos;
  }
  ASSERT_TRUE(seen) << (*live)->error();
  EXPECT_EQ(frame.number, 1u);
  EXPECT_GT(frame.ts.ns, 0);
  EXPECT_GE((*live)->Stats().delivered, 1u);

  (*live)->RequestStop();
  const auto before = std::chrono::steady_clock::now();
  EXPECT_FALSE((*live)->Next(frame, 5000));
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1))
      << "a stopped capture does not wait";
}

}  // namespace
}  // namespace qw::capture
