// NetBIOS Datagram Service (UDP 138) as a stream dissector: one datagram per message. Every
// datagram counts under protocols.nbds (histogram "message_types"); an SMB1 message in a
// datagram's user data counts under protocols.smb by its command, as tshark counts the
// mailslot traffic of Windows hosts. A host or local master announcement of the browser
// names its sender: the DeviceIdentity of protocol "browser" gives "netbios_name", "os"
// (the Windows version it announces, "Windows 6.1"), "server_type" (what the host offers:
// workstation, server, sql-server, domain-controller, print-server, master-browser, ...),
// "workgroup" (the destination name) and "comment", once per flow and announcement content.
// A datagram that is no NBDS message raises `nbds.malformed`.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "dissect/dissector.h"

namespace qw::dissect::nbds {

/// UDP port tried first.
inline constexpr uint16_t kPorts[] = {138};

/// Accepts a datagram that is one NBDS message.
ProbeResult Probe(flow::Direction dir, std::span<const uint8_t> first_bytes);

/// Makes the per-flow dissector.
std::unique_ptr<Dissector> Create();

}  // namespace qw::dissect::nbds
