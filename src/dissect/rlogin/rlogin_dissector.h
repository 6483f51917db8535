// rlogin over TCP as a stream dissector: the client's opening (its local user, the user it
// logs in as, its terminal) and the server's acknowledging zero; past them a session's
// bytes are not read. One RemoteAccessObservation per connection (tool "rlogin"), when the
// opening was read: user is the server-user (the account logged into); client_software
// stays empty; security says whom the server is asked to trust ("client user alice;
// terminal xterm/38400"), since rlogin authenticates by the client's user name and host
// (.rhosts) unless a password prompt follows.
//
// What is counted (summary.json protocols.rlogin): one PDU for the opening and one for the
// server's zero; "messages": 1 opening, 2 acknowledgement.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::rlogin {

/// TCP port tried first.
inline constexpr uint16_t kPorts[] = {513};

/// Accepts a client's opening: a zero, two printable user names and a terminal/speed
/// field, each NUL-terminated.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::rlogin
