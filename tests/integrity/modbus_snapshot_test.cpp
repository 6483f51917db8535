#include "integrity/modbus_snapshot.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <modbus/modbus.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "app/integrity_run.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

// A libmodbus server on loopback that answers from a register map and records every function
// code it receives; any write code fails the test that owns it.
class LoopbackServer {
 public:
  LoopbackServer() {
    ctx_ = modbus_new_tcp("127.0.0.1", 0);
    map_ = modbus_mapping_new(64, 64, 300, 50);
    for (int i = 0; i < 300; ++i) map_->tab_registers[i] = static_cast<uint16_t>(1000 + i);
    for (int i = 0; i < 50; ++i) map_->tab_input_registers[i] = static_cast<uint16_t>(7 * i);
    for (int i = 0; i < 64; ++i) map_->tab_bits[i] = static_cast<uint8_t>(i % 3 == 0);
    for (int i = 0; i < 64; ++i) map_->tab_input_bits[i] = static_cast<uint8_t>(i % 2);
    listen_ = modbus_tcp_listen(ctx_, 1);
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LoopbackServer() {
    ::shutdown(listen_, SHUT_RDWR);
    thread_.join();
    ::close(listen_);
    modbus_mapping_free(map_);
    modbus_free(ctx_);
  }
  uint16_t port() const { return port_; }
  std::set<int> functions() {
    std::lock_guard<std::mutex> l(mu_);
    return functions_;
  }

 private:
  void Serve() {
    // One client after another until the listening socket is shut down.
    for (;;) {
      int s = listen_;
      if (modbus_tcp_accept(ctx_, &s) < 0) return;
      uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
      for (;;) {
        int rc = modbus_receive(ctx_, query);
        if (rc <= 0) break;
        int function = query[modbus_get_header_length(ctx_)];
        {
          std::lock_guard<std::mutex> l(mu_);
          functions_.insert(function);
        }
        modbus_reply(ctx_, query, rc, map_);
      }
      modbus_close(ctx_);
    }
  }

  modbus_t* ctx_ = nullptr;
  modbus_mapping_t* map_ = nullptr;
  int listen_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::set<int> functions_;
};

bool IsWrite(int fc) { return fc == 5 || fc == 6 || fc == 15 || fc == 16 || fc == 22 || fc == 23; }

TEST(ModbusSnapshot, ReadsEveryTableWithReadFunctionsOnly) {
  LoopbackServer server;
  auto t = ParseModbusUrl(fmt::format(
      "modbus://127.0.0.1:{}/1?holding=0-199,250-251&input=3-5&coils=0-20&discrete=60-63",
      server.port()));
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto snap = TakeModbusSnapshot(*t, {});
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  // 200 + 2 holding (three requests: 125 is the most one may carry), 3 input, 21 coils, 4 bits.
  std::istringstream lines(*snap);
  std::string line;
  size_t values = 0;
  while (std::getline(lines, line)) values += line.find(" = ") != std::string::npos;
  EXPECT_EQ(values, 200u + 2 + 3 + 21 + 4);
  EXPECT_NE(snap->find("holding 0 = 1000 (0x03e8)\n"), std::string::npos);
  EXPECT_NE(snap->find("holding 199 = 1199 (0x04af)\n"), std::string::npos);
  EXPECT_NE(snap->find("holding 251 = 1251 (0x04e3)\n"), std::string::npos);
  EXPECT_NE(snap->find("input 4 = 28 (0x001c)\n"), std::string::npos);
  EXPECT_NE(snap->find("coil 3 = 1\ncoil 4 = 0\n"), std::string::npos);
  EXPECT_NE(snap->find("discrete 63 = 1\n"), std::string::npos);
  std::set<int> fcs = server.functions();
  EXPECT_EQ(fcs, (std::set<int>{1, 2, 3, 4}));
  for (int fc : fcs) EXPECT_FALSE(IsWrite(fc)) << "function code " << fc << " reached the device";
  // Same registers, same text: the snapshot carries no time, so its hash is stable.
  auto again = TakeModbusSnapshot(*t, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *snap);
}

TEST(ModbusSnapshot, NoWriteFunctionIsReachableFromTheSource) {
  // Read-only by construction: the module may call libmodbus's read functions and its
  // connection plumbing, and nothing that puts other function codes on the wire.
  std::ifstream in(std::string(QW_SOURCE_DIR) + "/src/integrity/modbus_snapshot.cpp");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string src = ss.str();
  ASSERT_FALSE(src.empty());
  for (const char* forbidden : {"modbus_write", "modbus_send_raw_request", "modbus_mask_write",
                                "modbus_report_slave_id", "modbus_reply"}) {
    EXPECT_EQ(src.find(forbidden), std::string::npos) << forbidden;
  }
}

TEST(ModbusSnapshot, ExceptionReplyNamesTheRange) {
  LoopbackServer server;
  auto t = ParseModbusUrl(fmt::format("modbus://127.0.0.1:{}/1?holding=290-310", server.port()));
  ASSERT_TRUE(t.ok());
  auto snap = TakeModbusSnapshot(*t, {});
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.error().message.find("holding 290-310"), std::string::npos)
      << snap.error().message;
  EXPECT_NE(snap.error().message.find("Illegal data address"), std::string::npos)
      << snap.error().message;
}

TEST(ModbusSnapshot, UnreachableDeviceIsAnErrorQuickly) {
  // A port nothing listens on: bind one, learn it, close it.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  uint16_t port = ntohs(a.sin_port);
  ::close(s);
  auto t = ParseModbusUrl(fmt::format("modbus://127.0.0.1:{}/1?holding=0-9", port));
  ASSERT_TRUE(t.ok());
  auto snap = TakeModbusSnapshot(*t, {200, 1});
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.error().message.find("unreachable"), std::string::npos) << snap.error().message;
}

TEST(ModbusSnapshot, SilentDeviceTimesOutWithinItsBound) {
  // Accepts connections (the kernel does, from the backlog) and never answers.
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(s, 8), 0);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  auto t = ParseModbusUrl(fmt::format("modbus://127.0.0.1:{}/1?holding=0-9", ntohs(a.sin_port)));
  ASSERT_TRUE(t.ok());
  auto start = std::chrono::steady_clock::now();
  auto snap = TakeModbusSnapshot(*t, {150, 2});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(s);
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.error().message.find("holding 0-9"), std::string::npos) << snap.error().message;
  // Three tries of 150 ms, with room for a slow machine; never the minutes of a TCP timeout.
  EXPECT_LT(took, 10.0);
}

TEST(ModbusSnapshot, OneDeadDeviceDoesNotStopTheOthers) {
  LoopbackServer server;
  fs::path dir = fs::temp_directory_path() / ("qw-modbus-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  app::SnapshotOptions o;
  o.urls = {"modbus://127.0.0.1:1/1?holding=0-1",
            fmt::format("modbus://127.0.0.1:{}/7?holding=10-11", server.port())};
  o.out_dir = dir.string();
  o.timeout_ms = 200;
  o.retries = 0;
  EXPECT_EQ(app::RunIntegritySnapshot(o), 2);
  fs::path written = dir / fmt::format("127.0.0.1-{}-unit7.modbus", server.port());
  ASSERT_TRUE(fs::exists(written));
  std::ifstream in(written);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("holding 11 = 1011 (0x03f3)"), std::string::npos) << ss.str();
  EXPECT_FALSE(fs::exists(dir / "127.0.0.1-1-unit1.modbus"));
  fs::remove_all(dir);
}

TEST(ModbusUrl, ReadsEveryPart) {
  auto t = ParseModbusUrl("modbus://[fd00::5]:1502/3?holding=0-9,20&coils=1-2");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->host, "fd00::5");
  EXPECT_EQ(t->port, 1502);
  EXPECT_EQ(t->unit, 3);
  ASSERT_EQ(t->holding.size(), 2u);
  EXPECT_EQ(t->holding[1].first, 20);
  EXPECT_EQ(t->holding[1].last, 20);
  EXPECT_EQ(t->coils[0].last, 2);
  auto d = ParseModbusUrl("modbus://drive-7.crane.local/1?input=0-65535");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 502);
  EXPECT_EQ(ModbusSnapshotName(*t), "fd00__5-1502-unit3.modbus");
}

TEST(ModbusUrl, RefusesWhatItCannotRead) {
  for (const char* bad :
       {"http://x/1?holding=0-1", "modbus://x?holding=0-1", "modbus://x/256?holding=0-1",
        "modbus://x/1", "modbus://x/1?holding=5-1", "modbus://x/1?holding=0-70000",
        "modbus://x/1?write=0-1", "modbus://x:0/1?holding=0", "modbus:///1?holding=0",
        "modbus://[::1/1?holding=0", "modbus://x/1?holding=a-b", "modbus://x/1?holding="}) {
    auto t = ParseModbusUrl(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.error().message.find(bad), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace qw::integrity
