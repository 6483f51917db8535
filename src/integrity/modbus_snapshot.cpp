#include "integrity/modbus_snapshot.h"

#include <fmt/format.h>
#include <modbus/modbus.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>

namespace qw::integrity {
namespace {

// Frees a libmodbus context (closing its connection) when the scope ends.
struct ContextDeleter {
  void operator()(modbus_t* ctx) const {
    modbus_close(ctx);
    modbus_free(ctx);
  }
};
using Context = std::unique_ptr<modbus_t, ContextDeleter>;

bool ParseNumber(std::string_view s, unsigned long max, unsigned long& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out <= max;
}

// "A-B[,C-D]" (or a single address "A") into ranges.
bool ParseRanges(std::string_view text, std::vector<AddressRange>& out) {
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    size_t dash = part.find('-');
    unsigned long first = 0, last = 0;
    if (!ParseNumber(part.substr(0, dash), 65535, first)) return false;
    last = first;
    if (dash != std::string_view::npos && !ParseNumber(part.substr(dash + 1), 65535, last)) {
      return false;
    }
    if (last < first) return false;
    out.push_back({static_cast<uint16_t>(first), static_cast<uint16_t>(last)});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return !out.empty();
}

size_t Count(const std::vector<AddressRange>& ranges) {
  size_t n = 0;
  for (const auto& r : ranges) n += size_t{r.last} - r.first + 1;
  return n;
}

// One of the four reads; which one is the only thing that differs between the kinds.
enum class Table { kHolding, kInput, kCoils, kDiscrete };

const char* TableName(Table t) {
  switch (t) {
    case Table::kHolding:
      return "holding";
    case Table::kInput:
      return "input";
    case Table::kCoils:
      return "coil";
    case Table::kDiscrete:
      return "discrete";
  }
  return "holding";
}

bool IsRegisters(Table t) { return t == Table::kHolding || t == Table::kInput; }

// The read function of `t`, from address `addr`, `n` items into `regs` or `bits`.
int Read(modbus_t* ctx, Table t, int addr, int n, uint16_t* regs, uint8_t* bits) {
  switch (t) {
    case Table::kHolding:
      return modbus_read_registers(ctx, addr, n, regs);  // FC 3
    case Table::kInput:
      return modbus_read_input_registers(ctx, addr, n, regs);  // FC 4
    case Table::kCoils:
      return modbus_read_bits(ctx, addr, n, bits);  // FC 1
    case Table::kDiscrete:
      return modbus_read_input_bits(ctx, addr, n, bits);  // FC 2
  }
  return -1;
}

// A device's own refusal (an exception reply) is an answer, not a transport failure: retrying
// it asks the same question again.
bool IsException(int err) { return err > MODBUS_ENOBASE && err < MODBUS_ENOBASE + 64; }

class Session {
 public:
  Session(const ModbusTarget& t, const ModbusReadOptions& o) : target_(t), options_(o) {}

  core::Status Connect() {
    ctx_.reset(modbus_new_tcp_pi(target_.host.c_str(), std::to_string(target_.port).c_str()));
    if (!ctx_) {
      return core::MakeError(
          fmt::format("{}: cannot set up a connection: {}", target_.url, modbus_strerror(errno)));
    }
    uint32_t sec = static_cast<uint32_t>(options_.timeout_ms / 1000);
    uint32_t usec = static_cast<uint32_t>((options_.timeout_ms % 1000) * 1000);
    modbus_set_response_timeout(ctx_.get(), sec, usec);
    modbus_set_byte_timeout(ctx_.get(), sec, usec);
    modbus_set_error_recovery(ctx_.get(), MODBUS_ERROR_RECOVERY_NONE);
    if (modbus_set_slave(ctx_.get(), target_.unit) != 0 || modbus_connect(ctx_.get()) != 0) {
      return core::MakeError(
          fmt::format("{}: unreachable: {}", target_.url, modbus_strerror(errno)));
    }
    connected_ = true;
    return {};
  }

  // Reads one range in chunks of at most what one request may carry, appending lines.
  core::Status ReadRange(Table t, AddressRange r, std::string& out) {
    const int max = IsRegisters(t) ? MODBUS_MAX_READ_REGISTERS : MODBUS_MAX_READ_BITS;
    uint16_t regs[MODBUS_MAX_READ_REGISTERS];
    uint8_t bits[MODBUS_MAX_READ_BITS];
    for (int addr = r.first; addr <= r.last; addr += max) {
      int n = std::min(max, r.last - addr + 1);
      int got = -1;
      int err = 0;
      for (int attempt = 0; attempt <= options_.retries; ++attempt) {
        if (!connected_) {
          core::Status s = Connect();
          if (!s) {
            err = errno;
            continue;
          }
        }
        got = Read(ctx_.get(), t, addr, n, regs, bits);
        if (got == n) break;
        err = errno;
        if (IsException(err)) break;
        // The link may be half-dead: start it again for the next try.
        modbus_close(ctx_.get());
        connected_ = false;
      }
      if (got != n) {
        return core::MakeError(fmt::format("{}: {} {}-{}: {}", target_.url, TableName(t), addr,
                                           addr + n - 1, modbus_strerror(err)));
      }
      for (int i = 0; i < n; ++i) {
        if (IsRegisters(t)) {
          out += fmt::format("{} {} = {} (0x{:04x})\n", TableName(t), addr + i, regs[i], regs[i]);
        } else {
          out += fmt::format("{} {} = {}\n", TableName(t), addr + i, bits[i] ? 1 : 0);
        }
      }
    }
    return {};
  }

 private:
  const ModbusTarget& target_;
  const ModbusReadOptions& options_;
  Context ctx_;
  bool connected_ = false;
};

}  // namespace

core::Result<ModbusTarget> ParseModbusUrl(std::string_view url) {
  ModbusTarget t;
  t.url = std::string(url);
  auto bad = [&](std::string_view why) {
    return core::MakeError(fmt::format(
        "{}: {} (expected modbus://HOST[:PORT]/UNIT?holding=A-B&input=A-B&coils=A-B&discrete=A-B)",
        url, why));
  };
  constexpr std::string_view kScheme = "modbus://";
  if (url.substr(0, kScheme.size()) != kScheme) return bad("not a modbus:// URL");
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad("no unit id");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  // [v6]:port, v6 in brackets, host:port, host.
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed [");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("junk after ]");
      port = authority.substr(close + 2);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  t.host = std::string(host);
  unsigned long n = 0;
  if (!port.empty()) {
    if (!ParseNumber(port, 65535, n) || n == 0) return bad("bad port");
    t.port = static_cast<uint16_t>(n);
  }
  size_t q = path.find('?');
  if (!ParseNumber(path.substr(0, q), 255, n)) return bad("the unit id is not 0 to 255");
  t.unit = static_cast<int>(n);
  std::string_view query = q == std::string_view::npos ? std::string_view() : path.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    size_t eq = kv.find('=');
    std::string_view key = kv.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    std::vector<AddressRange>* ranges = key == "holding"    ? &t.holding
                                        : key == "input"    ? &t.input
                                        : key == "coils"    ? &t.coils
                                        : key == "discrete" ? &t.discrete
                                                            : nullptr;
    if (!ranges) return bad(fmt::format("unknown parameter '{}'", key));
    if (!ParseRanges(value, *ranges)) return bad(fmt::format("bad range '{}'", value));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  size_t total = Count(t.holding) + Count(t.input) + Count(t.coils) + Count(t.discrete);
  if (total == 0) return bad("no range to read");
  if (total > kMaxModbusItems) return bad(fmt::format("more than {} items", kMaxModbusItems));
  return t;
}

core::Result<std::string> TakeModbusSnapshot(const ModbusTarget& target,
                                             const ModbusReadOptions& options) {
  ModbusReadOptions o = options;
  o.timeout_ms = std::clamp(o.timeout_ms, 1, kMaxModbusTimeoutMs);
  o.retries = std::clamp(o.retries, 0, kMaxModbusRetries);
  Session session(target, o);
  std::string out = "# quaywatch modbus snapshot: read-only (function codes 1-4)\n";
  out += fmt::format("device {}\n", target.url);
  core::Status s = session.Connect();
  for (int attempt = 0; !s && attempt < o.retries; ++attempt) s = session.Connect();
  if (!s) return core::MakeError(s.message());
  const std::pair<Table, const std::vector<AddressRange>*> tables[] = {
      {Table::kHolding, &target.holding},
      {Table::kInput, &target.input},
      {Table::kCoils, &target.coils},
      {Table::kDiscrete, &target.discrete}};
  for (const auto& [table, ranges] : tables) {
    for (const AddressRange& r : *ranges) {
      s = session.ReadRange(table, r, out);
      if (!s) return core::MakeError(s.message());
    }
  }
  return out;
}

std::string ModbusSnapshotName(const ModbusTarget& target) {
  std::string host = target.host;
  for (char& c : host) {
    if (c == ':' || c == '/' || c == '\\') c = '_';
  }
  return fmt::format("{}-{}-unit{}.modbus", host, target.port, target.unit);
}

}  // namespace qw::integrity
