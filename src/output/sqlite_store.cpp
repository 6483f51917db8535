#include "output/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/decimal.h"
#include "dissect/dhcp/dhcp_parser.h"
#include "dissect/dns/dns_parser.h"
#include "dissect/tls/tls_parser.h"
#include "output/atomic_file.h"
#include "output/json_output.h"

namespace qw::output {

namespace {

// Two static texts alike: most often the same pointer, for they come from one table.
bool SameText(const char* a, const char* b) { return a == b || std::strcmp(a, b) == 0; }

// The name an earlier run's database is removed under: no write ever uses it.
std::string RetiredPathFor(const std::string& path) { return TempPathFor(path) + ".old"; }

// Batches that may wait for the writer before the analysis waits in turn (at most 8 MiB of
// rows of fixed size). The writer keeps up on the whole, but not with every burst: flows
// that end together, a table whose batches fill at once. Two were too few for those.
constexpr size_t kMaxQueued = 16;
// Endpoints rows the writer remembers having written, by id: enough for the polling flows
// of a large site, so that an operation between known endpoints writes one row, not two.
constexpr size_t kEndpointSlots = 4096;
// Numbers an operation may move up when its (capture, frame, sequence) key is taken.
constexpr uint64_t kMaxSeqRetries = 4096;
// Operations one row of ics_operation_runs holds at most.
constexpr uint64_t kRunOperations = 512;
// Migration N brings the schema from version N-1 to N. Append; never edit a shipped one.
constexpr std::array<const char*, 15> kMigrations = {
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  quaywatch_version TEXT NOT NULL,
  frames INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_ts TEXT,
  last_ts TEXT,
  summary TEXT NOT NULL            -- summary.json of the run
);
CREATE TABLE assets (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  mac TEXT,
  vendor TEXT,
  seen_via TEXT,
  gateway INTEGER NOT NULL,
  roles TEXT NOT NULL,             -- JSON array
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_capture INTEGER NOT NULL,
  first_frame INTEGER NOT NULL,
  detail TEXT NOT NULL             -- the asset's object of assets.json
);
CREATE TABLE asset_addresses (
  asset_id INTEGER NOT NULL REFERENCES assets(id),
  kind TEXT NOT NULL,              -- 'mac', 'ipv4' or 'ipv6'
  address TEXT NOT NULL,
  PRIMARY KEY (asset_id, kind, address)
);
CREATE INDEX asset_addresses_by_address ON asset_addresses(address);
CREATE TABLE flows (
  id INTEGER PRIMARY KEY,          -- capture_index << 40 | first_frame
  run_id INTEGER NOT NULL REFERENCES runs(id),
  capture_index INTEGER NOT NULL,
  first_frame INTEGER NOT NULL,
  proto INTEGER NOT NULL,
  vlan INTEGER NOT NULL,
  inner_vlan INTEGER NOT NULL,
  initiator_ip TEXT NOT NULL,
  initiator_port INTEGER NOT NULL,
  responder_ip TEXT NOT NULL,
  responder_port INTEGER NOT NULL,
  initiator_mac TEXT,
  responder_mac TEXT,
  midstream INTEGER NOT NULL,
  tcp_state TEXT,
  end_reason TEXT NOT NULL,
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  packets_from_initiator INTEGER NOT NULL,
  packets_from_responder INTEGER NOT NULL,
  bytes_from_initiator INTEGER NOT NULL,
  bytes_from_responder INTEGER NOT NULL
);
CREATE INDEX flows_by_responder ON flows(responder_ip, responder_port);
CREATE TABLE ics_operations (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  protocol TEXT NOT NULL,
  function_code INTEGER,
  function TEXT,
  category TEXT NOT NULL,
  target TEXT,
  initiator TEXT,
  responder TEXT,
  capture_index INTEGER NOT NULL,
  frame INTEGER NOT NULL,
  result TEXT
);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  type TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  count INTEGER NOT NULL,
  detail TEXT NOT NULL             -- the finding's line of events.jsonl
);
)sql",
    // 2: the application protocol of each flow; industrial operations with their
    // endpoints, both frames and time (initiator is the requester, responder the device).
    R"sql(
ALTER TABLE flows ADD COLUMN protocol TEXT;
ALTER TABLE ics_operations ADD COLUMN vlan INTEGER;
ALTER TABLE ics_operations ADD COLUMN initiator_ip TEXT;
ALTER TABLE ics_operations ADD COLUMN initiator_mac TEXT;
ALTER TABLE ics_operations ADD COLUMN responder_ip TEXT;
ALTER TABLE ics_operations ADD COLUMN responder_mac TEXT;
ALTER TABLE ics_operations ADD COLUMN responder_port INTEGER;
ALTER TABLE ics_operations ADD COLUMN request_frame INTEGER;
ALTER TABLE ics_operations ADD COLUMN response_frame INTEGER;
ALTER TABLE ics_operations ADD COLUMN ts TEXT;
)sql",
    // 3: industrial operations stored narrow. The endpoints an operation shares with the
    // others of its flow are a row of ics_endpoints (id: the flow's id times two, plus one
    // when the requester is the flow's responder; negative for link-layer operations, which
    // have no flow), and ics_operations becomes a view with the columns the table had, plus
    // initiator_port. Rows already there keep an endpoints row each.
    R"sql(
CREATE TABLE ics_endpoints (
  id INTEGER PRIMARY KEY,
  vlan INTEGER NOT NULL,
  initiator TEXT,                  -- the requester: "ip:port", or its MAC
  initiator_ip TEXT,
  initiator_port INTEGER,
  initiator_mac TEXT,
  responder TEXT,                  -- the device
  responder_ip TEXT,
  responder_port INTEGER,
  responder_mac TEXT
);
CREATE TABLE ics_operation_rows (
  id INTEGER PRIMARY KEY,          -- capture_index << 44 | frame << 12 | sequence
  capture_index INTEGER NOT NULL,
  endpoints INTEGER NOT NULL REFERENCES ics_endpoints(id),
  protocol TEXT NOT NULL,
  function_code INTEGER,
  function TEXT,
  category TEXT NOT NULL,
  target TEXT,
  result TEXT,
  request_frame INTEGER,
  response_frame INTEGER,
  ts TEXT
);
INSERT INTO ics_endpoints (id, vlan, initiator, initiator_ip, initiator_mac, responder,
                           responder_ip, responder_port, responder_mac)
  SELECT -id - 1, coalesce(vlan, 0), initiator, initiator_ip, initiator_mac, responder,
         responder_ip, responder_port, responder_mac FROM ics_operations;
INSERT INTO ics_operation_rows (id, capture_index, endpoints, protocol, function_code, function,
                                category, target, result, request_frame, response_frame, ts)
  SELECT id, capture_index, -id - 1, protocol, function_code, function, category, target,
         result, coalesce(request_frame, frame), response_frame, ts FROM ics_operations;
DROP TABLE ics_operations;
CREATE VIEW ics_operations AS
  SELECT o.id AS id, 1 AS run_id, o.protocol AS protocol, o.function_code AS function_code,
         o.function AS function, o.category AS category, o.target AS target,
         e.initiator AS initiator, e.responder AS responder, o.capture_index AS capture_index,
         coalesce(o.request_frame, o.response_frame, 0) AS frame, o.result AS result,
         e.vlan AS vlan, e.initiator_ip AS initiator_ip, e.initiator_mac AS initiator_mac,
         e.responder_ip AS responder_ip, e.responder_mac AS responder_mac,
         e.responder_port AS responder_port, o.request_frame AS request_frame,
         o.response_frame AS response_frame, o.ts AS ts, e.initiator_port AS initiator_port
  FROM ics_operation_rows AS o LEFT JOIN ics_endpoints AS e ON e.id = o.endpoints;
)sql",
    // 4: DNS, mDNS and LLMNR messages, one row each, and their records in presentation form
    // (a response's query_frame is its query's frame on the same flow, when seen).
    R"sql(
CREATE TABLE dns_messages (
  id INTEGER PRIMARY KEY,          -- capture_index << 44 | frame << 12 | sequence
  run_id INTEGER NOT NULL REFERENCES runs(id),
  protocol TEXT NOT NULL,          -- 'dns', 'mdns' or 'llmnr'
  capture_index INTEGER NOT NULL,
  frame INTEGER NOT NULL,
  ts TEXT NOT NULL,
  flow_id INTEGER REFERENCES flows(id),
  transport TEXT NOT NULL,         -- 'udp' or 'tcp'
  src_ip TEXT NOT NULL,
  src_port INTEGER NOT NULL,
  dst_ip TEXT NOT NULL,
  dst_port INTEGER NOT NULL,
  src_mac TEXT,
  dns_id INTEGER NOT NULL,         -- the header's id
  response INTEGER NOT NULL,       -- QR
  opcode INTEGER NOT NULL,
  rcode INTEGER,                   -- responses only
  rcode_name TEXT,
  flags INTEGER NOT NULL,          -- the 16 flag bits as on the wire
  qdcount INTEGER NOT NULL,
  ancount INTEGER NOT NULL,
  nscount INTEGER NOT NULL,
  arcount INTEGER NOT NULL,
  qname TEXT,                      -- the first question
  qtype INTEGER,
  qtype_name TEXT,
  qclass INTEGER,
  query_frame INTEGER,
  malformed INTEGER NOT NULL       -- a question or record could not be read; later ones are missing
);
CREATE INDEX dns_messages_by_qname ON dns_messages(qname);
CREATE TABLE dns_records (
  message_id INTEGER NOT NULL REFERENCES dns_messages(id),
  position INTEGER NOT NULL,       -- order in the message, from 0
  section TEXT NOT NULL,           -- 'answer', 'authority' or 'additional'
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  type_name TEXT,
  class INTEGER NOT NULL,
  ttl INTEGER NOT NULL,
  data TEXT NOT NULL,              -- RFC 1035 master-file text; RFC 3597 "\# n hex" otherwise
  PRIMARY KEY (message_id, position)
) WITHOUT ROWID;                   -- kept in key order, whatever order batches arrive in
CREATE INDEX dns_records_by_data ON dns_records(data);
)sql",
    // 5: DHCP and DHCPv6 messages, one row each, with what they say about the client.
    R"sql(
CREATE TABLE dhcp_messages (
  id INTEGER PRIMARY KEY,          -- capture_index << 44 | frame << 12
  run_id INTEGER NOT NULL REFERENCES runs(id),
  protocol TEXT NOT NULL,          -- 'dhcp' or 'dhcpv6'
  capture_index INTEGER NOT NULL,
  frame INTEGER NOT NULL,
  ts TEXT NOT NULL,
  flow_id INTEGER REFERENCES flows(id),
  src_ip TEXT NOT NULL,
  src_port INTEGER NOT NULL,
  dst_ip TEXT NOT NULL,
  dst_port INTEGER NOT NULL,
  src_mac TEXT,
  from_server INTEGER NOT NULL,
  message_type INTEGER NOT NULL,   -- DHCP option 53 (0: BOOTP); DHCPv6 msg-type
  message_type_name TEXT,          -- DHCP only: 'discover', 'offer', ...
  inner_type INTEGER NOT NULL,     -- DHCPv6: the message inside relays
  xid INTEGER NOT NULL,
  client_mac TEXT,                 -- DHCP chaddr
  client_ip TEXT,                  -- ciaddr, or the requested address
  assigned_ip TEXT,                -- yiaddr, or the first DHCPv6 IA address
  server_id TEXT,
  host_name TEXT,
  fqdn TEXT,
  vendor_class TEXT,
  client_id TEXT,
  parameter_list TEXT
);
)sql",
    // 6: TLS handshakes, one row per connection: offer, choice, fingerprints, certificate.
    R"sql(
CREATE TABLE tls_sessions (
  id INTEGER PRIMARY KEY,          -- the flow's id
  run_id INTEGER NOT NULL REFERENCES runs(id),
  capture_index INTEGER NOT NULL,
  client_hello_frame INTEGER,
  server_hello_frame INTEGER,
  ts TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  client_port INTEGER NOT NULL,
  server_ip TEXT NOT NULL,
  server_port INTEGER NOT NULL,
  sni TEXT,
  alpn_offered TEXT,
  alpn_chosen TEXT,
  client_version TEXT,             -- ClientHello legacy_version ("TLS 1.2")
  offered_version TEXT,            -- the newest offered (supported_versions)
  versions_offered TEXT,           -- "0x0304,0x0303"
  server_version TEXT,
  cipher INTEGER,                  -- the suite chosen
  ciphers_offered TEXT,            -- 4-digit hex, in order
  ja3 TEXT,
  ja3s TEXT,
  ja4 TEXT,
  cert_subject TEXT,
  cert_issuer TEXT,
  cert_not_before TEXT,
  cert_not_after TEXT
);
CREATE INDEX tls_sessions_by_sni ON tls_sessions(sni);
)sql",
    // 7: remote-access sessions (SSH, and the other tools as they come), one row per flow;
    // the view remote_access adds the flow's start, end and bytes each way.
    R"sql(
CREATE TABLE remote_access_sessions (
  id INTEGER PRIMARY KEY,          -- the flow's id
  run_id INTEGER NOT NULL REFERENCES runs(id),
  tool TEXT NOT NULL,              -- 'ssh', ...
  capture_index INTEGER NOT NULL,
  frame INTEGER NOT NULL,          -- the first frame that showed the tool
  client_ip TEXT NOT NULL,
  client_port INTEGER NOT NULL,
  server_ip TEXT NOT NULL,
  server_port INTEGER NOT NULL,
  protocol_version TEXT,
  client_software TEXT,
  server_software TEXT,
  user TEXT,
  client_fingerprint TEXT,         -- SSH: HASSH
  server_fingerprint TEXT          -- SSH: HASSHServer
);
CREATE VIEW remote_access AS
  SELECT r.id AS id, r.tool AS tool, r.client_ip AS client_ip, r.client_port AS client_port,
         r.server_ip AS server_ip, r.server_port AS server_port, r.user AS user,
         r.client_software AS client_software, r.server_software AS server_software,
         f.first_ts AS start_ts, f.last_ts AS end_ts,
         (julianday(f.last_ts) - julianday(f.first_ts)) * 86400.0 AS duration_s,
         CASE WHEN f.initiator_ip = r.client_ip THEN f.bytes_from_initiator
              ELSE f.bytes_from_responder END AS bytes_from_client,
         CASE WHEN f.initiator_ip = r.client_ip THEN f.bytes_from_responder
              ELSE f.bytes_from_initiator END AS bytes_from_server,
         r.capture_index AS capture_index, r.frame AS frame,
         r.client_fingerprint AS client_fingerprint, r.server_fingerprint AS server_fingerprint
  FROM remote_access_sessions AS r LEFT JOIN flows AS f ON f.id = r.id;
)sql",
    // 8: file transfers (FTP, TFTP, SMB2/3, HTTP), one row per file moved; remote-access
    // sessions gain the security the tool negotiated (RDP protocols, VNC security type).
    R"sql(
CREATE TABLE file_transfers (
  id INTEGER PRIMARY KEY,          -- capture, frame and sequence, as ics_operation_rows
  run_id INTEGER NOT NULL REFERENCES runs(id),
  protocol TEXT NOT NULL,          -- 'ftp', 'tftp', 'smb2', 'http'
  command TEXT,                    -- 'STOR', 'RETR', 'WRQ', 'RRQ', 'write', 'read', 'GET', ...
  direction TEXT NOT NULL,         -- 'upload' (to the responder) or 'download'
  capture_index INTEGER NOT NULL,
  frame INTEGER NOT NULL,          -- the request's frame
  end_frame INTEGER,               -- the frame that completed the content
  ts TEXT NOT NULL,
  flow_id INTEGER NOT NULL,        -- the flow of the request
  data_flow_id INTEGER,            -- FTP and TFTP: the flow that carried the content
  client_ip TEXT NOT NULL,
  client_port INTEGER NOT NULL,
  server_ip TEXT NOT NULL,
  server_port INTEGER NOT NULL,
  file_name TEXT,
  location TEXT,                   -- SMB share, HTTP host
  media_type TEXT,
  bytes INTEGER NOT NULL,          -- content bytes seen
  declared_size INTEGER,           -- what the protocol announced
  complete INTEGER NOT NULL,       -- 1 when every byte was seen in order
  sha256 TEXT,                     -- of the content, when complete and within the hash limit
  result TEXT
);
CREATE INDEX file_transfers_by_sha256 ON file_transfers(sha256);
ALTER TABLE remote_access_sessions ADD COLUMN security TEXT;
DROP VIEW remote_access;
CREATE VIEW remote_access AS
  SELECT r.id AS id, r.tool AS tool, r.client_ip AS client_ip, r.client_port AS client_port,
         r.server_ip AS server_ip, r.server_port AS server_port, r.user AS user,
         r.client_software AS client_software, r.server_software AS server_software,
         f.first_ts AS start_ts, f.last_ts AS end_ts,
         (julianday(f.last_ts) - julianday(f.first_ts)) * 86400.0 AS duration_s,
         CASE WHEN f.initiator_ip = r.client_ip THEN f.bytes_from_initiator
              ELSE f.bytes_from_responder END AS bytes_from_client,
         CASE WHEN f.initiator_ip = r.client_ip THEN f.bytes_from_responder
              ELSE f.bytes_from_initiator END AS bytes_from_server,
         r.capture_index AS capture_index, r.frame AS frame,
         r.client_fingerprint AS client_fingerprint, r.server_fingerprint AS server_fingerprint,
         r.security AS security
  FROM remote_access_sessions AS r LEFT JOIN flows AS f ON f.id = r.id;
)sql",
    // 9: HTTP and RTSP exchanges, SNMP messages (the community only as a hash and a flag).
    R"sql(
CREATE TABLE http_exchanges (
  id INTEGER PRIMARY KEY,          -- capture, frame and sequence, as ics_operation_rows
  run_id INTEGER NOT NULL REFERENCES runs(id),
  protocol TEXT NOT NULL,          -- 'http' or 'rtsp'
  capture_index INTEGER NOT NULL,
  request_frame INTEGER,           -- the frame that completed the request's head
  response_frame INTEGER,
  ts TEXT NOT NULL,
  flow_id INTEGER NOT NULL,
  client_ip TEXT NOT NULL,
  client_port INTEGER NOT NULL,
  server_ip TEXT NOT NULL,
  server_port INTEGER NOT NULL,
  method TEXT,
  uri TEXT,
  host TEXT,
  user_agent TEXT,
  status INTEGER,                  -- NULL when unanswered
  server TEXT,
  content_type TEXT,
  request_body_bytes INTEGER NOT NULL,
  response_body_bytes INTEGER NOT NULL,
  file_name TEXT
);
CREATE INDEX http_exchanges_by_host ON http_exchanges(host);
CREATE TABLE snmp_messages (
  id INTEGER PRIMARY KEY,          -- capture, frame and sequence
  run_id INTEGER NOT NULL REFERENCES runs(id),
  capture_index INTEGER NOT NULL,
  request_frame INTEGER,
  response_frame INTEGER,
  ts TEXT NOT NULL,
  flow_id INTEGER NOT NULL,
  requester_ip TEXT NOT NULL,
  requester_port INTEGER NOT NULL,
  agent_ip TEXT NOT NULL,
  agent_port INTEGER NOT NULL,
  version INTEGER NOT NULL,        -- 0 v1, 1 v2c, 3 v3, as on the wire
  pdu_type INTEGER,                -- NULL for an encrypted SNMPv3 PDU
  pdu_type_name TEXT,
  request_id INTEGER NOT NULL,
  error_status INTEGER NOT NULL,
  error_index INTEGER NOT NULL,
  community_sha256 TEXT,           -- v1/v2c: SHA-256 of the community, never the community
  default_community INTEGER NOT NULL,
  user TEXT,                       -- v3 USM user name
  engine_id TEXT,
  first_oid TEXT,
  varbinds INTEGER NOT NULL
);
)sql",
    // 10: industrial operations stored by run. Operations of one flow and direction with the
    // same protocol, function, category, target and result share a row of ics_operation_runs;
    // what differs between them (id, request and response frames, time) is one JSON array per
    // operation in `operations`. The view ics_operations keeps its columns and its row per
    // operation. Rows already there become runs of one.
    R"sql(
CREATE TABLE ics_operation_runs (
  id INTEGER PRIMARY KEY,          -- the id of its first operation
  capture_index INTEGER NOT NULL,
  endpoints INTEGER NOT NULL REFERENCES ics_endpoints(id),
  protocol TEXT NOT NULL,
  function_code INTEGER,
  function TEXT,
  category TEXT NOT NULL,
  target TEXT,
  result TEXT,
  count INTEGER NOT NULL,          -- operations in the run
  operations TEXT NOT NULL         -- JSON: [[id, request_frame, response_frame, ts], ...]
);
INSERT INTO ics_operation_runs (id, capture_index, endpoints, protocol, function_code, function,
                                category, target, result, count, operations)
  SELECT id, capture_index, endpoints, protocol, function_code, function, category, target,
         result, 1, json_array(json_array(id, request_frame, response_frame, ts))
  FROM ics_operation_rows;
DROP VIEW ics_operations;
DROP TABLE ics_operation_rows;
CREATE VIEW ics_operations AS
  SELECT o.value ->> 0 AS id, 1 AS run_id, r.protocol AS protocol,
         r.function_code AS function_code, r.function AS function, r.category AS category,
         r.target AS target, e.initiator AS initiator, e.responder AS responder,
         r.capture_index AS capture_index,
         coalesce(o.value ->> 1, o.value ->> 2, 0) AS frame, r.result AS result,
         e.vlan AS vlan, e.initiator_ip AS initiator_ip, e.initiator_mac AS initiator_mac,
         e.responder_ip AS responder_ip, e.responder_mac AS responder_mac,
         e.responder_port AS responder_port, o.value ->> 1 AS request_frame,
         o.value ->> 2 AS response_frame, o.value ->> 3 AS ts, e.initiator_port AS initiator_port,
         r.id AS run
  FROM ics_operation_runs AS r JOIN json_each(r.operations) AS o
       LEFT JOIN ics_endpoints AS e ON e.id = r.endpoints;
)sql",
    // 11: the site policy's zone of each end of a flow (NULL without a policy, or when no
    // zone holds a private address; 'external' for a public one outside every zone).
    R"sql(
ALTER TABLE flows ADD COLUMN initiator_zone TEXT;
ALTER TABLE flows ADD COLUMN responder_zone TEXT;
)sql",
    // 12: the site policy's zones and conduits as the run applied them, so that a report
    // drawn later from this file alone shows the zones and tells allowed edges from others.
    R"sql(
CREATE TABLE policy_zones (
  position INTEGER PRIMARY KEY,    -- order in the policy file, from 0
  run_id INTEGER NOT NULL REFERENCES runs(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  description TEXT,
  inside TEXT,                     -- the zone this one is declared inside of
  subnets TEXT NOT NULL,           -- JSON array of prefixes
  vlans TEXT NOT NULL              -- JSON array of VLAN ids
);
CREATE TABLE policy_conduits (
  position INTEGER PRIMARY KEY,    -- order in the policy file, from 0
  run_id INTEGER NOT NULL REFERENCES runs(id),
  from_zone TEXT NOT NULL,         -- a zone's name, or 'external'
  to_zone TEXT NOT NULL,
  services TEXT NOT NULL,          -- JSON array, as the policy writes them
  allow TEXT NOT NULL,             -- JSON array: writes, program-changes, file-transfer, remote-access
  purpose TEXT
);
)sql",
    // 13: PLC program blocks rebuilt from uploads and downloads (S7comm), one row per
    // transfer, with the SHA-256 of the bytes rebuilt (the bytes themselves are not stored:
    // `analyze --export-blocks DIR` writes them as files).
    R"sql(
CREATE TABLE plc_blocks (
  id INTEGER PRIMARY KEY,          -- 1-based, in order of capture, first frame
  run_id INTEGER NOT NULL REFERENCES runs(id),
  protocol TEXT NOT NULL,          -- 's7comm'
  direction TEXT NOT NULL,         -- 'upload' (from the PLC) or 'download' (into it)
  plc_ip TEXT NOT NULL,            -- the PLC: the responder of the connection
  plc_port INTEGER NOT NULL,
  peer_ip TEXT NOT NULL,           -- the engineering station
  peer_port INTEGER NOT NULL,
  vlan INTEGER NOT NULL,
  block TEXT NOT NULL,             -- 'OB1', 'FC12', 'DB100'
  block_type TEXT NOT NULL,        -- 'OB', 'FC', 'DB', ...
  block_number INTEGER NOT NULL,
  size INTEGER NOT NULL,           -- bytes rebuilt
  sha256 TEXT NOT NULL,            -- of the bytes rebuilt
  complete INTEGER NOT NULL,       -- 1: started, every piece seen, ended without error, no gap
  capture_index INTEGER NOT NULL,
  flow_id INTEGER NOT NULL,        -- flows.id of its connection
  first_frame INTEGER NOT NULL,
  last_frame INTEGER NOT NULL,
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL
);
CREATE INDEX plc_blocks_by_sha256 ON plc_blocks(sha256);
)sql",
    // 14: each run's first frame and time as columns, ahead of `operations`, so that a query
    // that wants only them (the report's table of operations) neither reads the run's
    // overflow pages nor parses its JSON. The view ics_operations is unchanged.
    R"sql(
CREATE TABLE ics_operation_runs_14 (
  id INTEGER PRIMARY KEY,          -- the id of its first operation
  capture_index INTEGER NOT NULL,
  endpoints INTEGER NOT NULL REFERENCES ics_endpoints(id),
  protocol TEXT NOT NULL,
  function_code INTEGER,
  function TEXT,
  category TEXT NOT NULL,
  target TEXT,
  result TEXT,
  count INTEGER NOT NULL,          -- operations in the run
  first_frame INTEGER,             -- its first operation's request frame, else response frame
  first_ts TEXT NOT NULL,          -- its first operation's time
  operations TEXT NOT NULL         -- JSON: [[id, request_frame, response_frame, ts], ...]
);
INSERT INTO ics_operation_runs_14 (id, capture_index, endpoints, protocol, function_code,
                                   function, category, target, result, count, first_frame,
                                   first_ts, operations)
  SELECT id, capture_index, endpoints, protocol, function_code, function, category, target,
         result, count, coalesce(operations ->> '$[0][1]', operations ->> '$[0][2]'),
         operations ->> '$[0][3]', operations
  FROM ics_operation_runs;
DROP VIEW ics_operations;
DROP TABLE ics_operation_runs;
ALTER TABLE ics_operation_runs_14 RENAME TO ics_operation_runs;
CREATE VIEW ics_operations AS
  SELECT o.value ->> 0 AS id, 1 AS run_id, r.protocol AS protocol,
         r.function_code AS function_code, r.function AS function, r.category AS category,
         r.target AS target, e.initiator AS initiator, e.responder AS responder,
         r.capture_index AS capture_index,
         coalesce(o.value ->> 1, o.value ->> 2, 0) AS frame, r.result AS result,
         e.vlan AS vlan, e.initiator_ip AS initiator_ip, e.initiator_mac AS initiator_mac,
         e.responder_ip AS responder_ip, e.responder_mac AS responder_mac,
         e.responder_port AS responder_port, o.value ->> 1 AS request_frame,
         o.value ->> 2 AS response_frame, o.value ->> 3 AS ts, e.initiator_port AS initiator_port,
         r.id AS run
  FROM ics_operation_runs AS r JOIN json_each(r.operations) AS o
       LEFT JOIN ics_endpoints AS e ON e.id = r.endpoints;
)sql",
    // 15: a run's operations stored compactly, a third of the bytes: each is
    // [request_frame, response_frame, us, id?], where the response frame counts after the
    // request frame when there is one, `us` is the microseconds after the run's first_ts, and
    // the id is there only when it is not the one the capture and frame give (capture << 44 |
    // frame << 12). The view ics_operations gives the same rows and columns as before.
    R"sql(
CREATE TABLE ics_operation_runs_15 (
  id INTEGER PRIMARY KEY,          -- the id of its first operation
  capture_index INTEGER NOT NULL,
  endpoints INTEGER NOT NULL REFERENCES ics_endpoints(id),
  protocol TEXT NOT NULL,
  function_code INTEGER,
  function TEXT,
  category TEXT NOT NULL,
  target TEXT,
  result TEXT,
  count INTEGER NOT NULL,          -- operations in the run
  first_frame INTEGER,             -- its first operation's request frame, else response frame
  first_ts TEXT NOT NULL,          -- its first operation's time
  operations TEXT NOT NULL         -- JSON: [[request_frame, response_frame - request_frame
                                   -- (response_frame without a request), microseconds after
                                   -- first_ts, id where not capture << 44 | frame << 12], ...]
);
INSERT INTO ics_operation_runs_15 (id, capture_index, endpoints, protocol, function_code,
                                   function, category, target, result, count, first_frame,
                                   first_ts, operations)
  SELECT r.id, r.capture_index, r.endpoints, r.protocol, r.function_code, r.function,
         r.category, r.target, r.result, r.count, r.first_frame, r.first_ts,
         (SELECT json_group_array(CASE WHEN x.id IS x.plain_id THEN json(x.op)
                                       ELSE json_insert(x.op, '$[#]', x.id) END)
          FROM (SELECT o.value ->> 0 AS id,
                       (r.capture_index << 44) |
                           ((coalesce(o.value ->> 1, o.value ->> 2, 0) & 4294967295) << 12)
                           AS plain_id,
                       json_array(o.value ->> 1,
                                  CASE WHEN (o.value ->> 1) IS NULL THEN o.value ->> 2
                                       ELSE (o.value ->> 2) - (o.value ->> 1) END,
                                  (unixepoch(substr(o.value ->> 3, 1, 19)) -
                                   unixepoch(substr(r.first_ts, 1, 19))) * 1000000 +
                                      CAST(substr(o.value ->> 3, 21, 6) AS INTEGER) -
                                      CAST(substr(r.first_ts, 21, 6) AS INTEGER)) AS op
                FROM json_each(r.operations) AS o) AS x)
  FROM ics_operation_runs AS r;
DROP VIEW ics_operations;
DROP TABLE ics_operation_runs;
ALTER TABLE ics_operation_runs_15 RENAME TO ics_operation_runs;
CREATE VIEW ics_operations AS
  SELECT coalesce(p.stored_id, (p.capture_index << 44) | ((p.frame & 4294967295) << 12)) AS id,
         1 AS run_id, p.protocol AS protocol, p.function_code AS function_code,
         p.function AS function, p.category AS category, p.target AS target,
         p.initiator AS initiator, p.responder AS responder, p.capture_index AS capture_index,
         p.frame AS frame, p.result AS result, p.vlan AS vlan, p.initiator_ip AS initiator_ip,
         p.initiator_mac AS initiator_mac, p.responder_ip AS responder_ip,
         p.responder_mac AS responder_mac, p.responder_port AS responder_port,
         p.request_frame AS request_frame, p.response_frame AS response_frame,
         strftime('%Y-%m-%dT%H:%M:%S.', p.us / 1000000, 'unixepoch') ||
             substr(1000000 + p.us % 1000000, 2) || 'Z' AS ts,
         p.initiator_port AS initiator_port, p.run AS run
  FROM (SELECT r.id AS run, r.capture_index AS capture_index, r.protocol AS protocol,
               r.function_code AS function_code, r.function AS function,
               r.category AS category, r.target AS target, r.result AS result,
               e.initiator AS initiator, e.responder AS responder, e.vlan AS vlan,
               e.initiator_ip AS initiator_ip, e.initiator_mac AS initiator_mac,
               e.responder_ip AS responder_ip, e.responder_mac AS responder_mac,
               e.responder_port AS responder_port, e.initiator_port AS initiator_port,
               o.value ->> 0 AS request_frame,
               CASE WHEN (o.value ->> 0) IS NULL THEN o.value ->> 1
                    ELSE (o.value ->> 0) + (o.value ->> 1) END AS response_frame,
               coalesce(o.value ->> 0, o.value ->> 1, 0) AS frame,
               unixepoch(substr(r.first_ts, 1, 19)) * 1000000 +
                   CAST(substr(r.first_ts, 21, 6) AS INTEGER) + (o.value ->> 2) AS us,
               o.value ->> 3 AS stored_id
        FROM ics_operation_runs AS r JOIN json_each(r.operations) AS o
             LEFT JOIN ics_endpoints AS e ON e.id = r.endpoints) AS p;
)sql",
};

// Pointers to `rows` in the order of their ids, rows of one id as they came: rows run to
// kilobytes (a flow record's strings, an observation's texts), so their order is sorted,
// not they.
template <class Row, class IdOf>
std::vector<const Row*> InIdOrder(const std::vector<Row>& rows, IdOf id_of) {
  std::vector<const Row*> order(rows.size());
  for (size_t n = 0; n < rows.size(); ++n) order[n] = &rows[n];
  std::stable_sort(order.begin(), order.end(),
                   [&](const Row* x, const Row* y) { return id_of(*x) < id_of(*y); });
  return order;
}

}  // namespace

int SqliteStore::SchemaVersion() { return static_cast<int>(kMigrations.size()); }

core::Status SqliteStore::Migrate(sqlite3* db, int to_version) {
  auto exec = [&](const char* sql) -> core::Status {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "sqlite error";
      sqlite3_free(err);
      return core::MakeError(msg);
    }
    return {};
  };
  int version = 0;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  if (st && sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  if (version < 0 || version > SchemaVersion()) {
    return core::MakeError("schema version " + std::to_string(version) + " is not one this " +
                           "build knows (0 to " + std::to_string(SchemaVersion()) + ")");
  }
  for (int v = version; v < std::min(to_version, SchemaVersion()); ++v) {
    // Each step and its version number land together or not at all.
    if (auto s = exec("BEGIN"); !s) return s;
    auto s = exec(kMigrations[static_cast<size_t>(v)]);
    if (s) s = exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
    if (!s) {
      (void)exec("ROLLBACK");
      return core::MakeError("migration " + std::to_string(v + 1) + ": " + s.message());
    }
    if (auto c = exec("COMMIT"); !c) return c;
  }
  return {};
}

core::Status SqliteStore::DeferIndexes() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                         "sql IS NOT NULL ORDER BY name",
                         -1, &st, nullptr) != SQLITE_OK) {
    return Error("list indexes");
  }
  std::vector<std::string> names;
  while (sqlite3_step(st) == SQLITE_ROW) {
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    deferred_indexes_.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  }
  sqlite3_finalize(st);
  for (const std::string& name : names) {
    if (auto s = Exec(("DROP INDEX \"" + name + "\"").c_str()); !s) return s;
  }
  return {};
}

core::Status SqliteStore::BuildIndexes() {
  for (const std::string& sql : deferred_indexes_) {
    if (auto s = Exec(sql.c_str()); !s) return s;
  }
  deferred_indexes_.clear();
  return {};
}

SqliteStore::SqliteStore(std::string path, sqlite3* db)
    : path_(std::move(path)),
      db_(db),
      flows_(&SqliteStore::WriteFlows),
      ops_(&SqliteStore::WriteOperations),
      dns_(&SqliteStore::WriteDns),
      dhcp_(&SqliteStore::WriteDhcp),
      tls_(&SqliteStore::WriteTls),
      remote_(&SqliteStore::WriteRemoteAccess),
      transfers_(&SqliteStore::WriteFileTransfers),
      http_(&SqliteStore::WriteHttp),
      snmp_(&SqliteStore::WriteSnmp) {}

void SqliteStore::FinalizeStatements() {
  for (BoundStatement* st :
       {&flow_insert_, &op_insert_, &endpoints_insert_, &dns_insert_, &dns_many_insert_,
        &dns_record_many_insert_, &dns_record_insert_, &dhcp_insert_, &tls_insert_, &remote_insert_,
        &transfer_insert_, &http_insert_, &snmp_insert_}) {
    st->Finalize();
  }
}

template <class Row, class From>
core::Status SqliteStore::Push(Queue<Row>& q, From&& row) {
  // A batch's first row takes the batch's whole room at once, rather than growing it by
  // copying large rows.
  if (q.rows.capacity() == 0) q.rows.reserve(q.batch);
  q.rows.push_back(std::forward<From>(row));
  if (q.rows.size() < q.batch) return {};
  return Flush(q);
}

template <class Row>
core::Status SqliteStore::Flush(Queue<Row>& q) {
  if (q.rows.empty()) return {};
  Job job = [this, &q, rows = std::move(q.rows), text = std::move(q.text)]() mutable {
    core::Status s;
    if constexpr (std::is_same_v<typename Queue<Row>::Text, NoText>)
      s = (this->*q.write)(rows);
    else
      s = (this->*q.write)(rows, text);
    rows.clear();
    text.clear();
    std::lock_guard lock(mu_);
    q.spare.emplace_back(std::move(rows), std::move(text));
    return s;
  };
  q.rows = {};
  q.text = {};
  {
    std::lock_guard lock(mu_);
    if (!q.spare.empty()) {
      q.rows = std::move(q.spare.back().first);
      q.text = std::move(q.spare.back().second);
      q.spare.pop_back();
    }
  }
  return Submit(std::move(job));
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mu_);
    queue_.clear();  // never finished: what waits would be thrown away with the file
  }
  (void)StopWriter();
  if (retired_.joinable()) retired_.join();
  FinalizeStatements();
  if (db_) {
    sqlite3_close(db_);
    ::unlink(TempPathFor(path_).c_str());  // never finished: leave nothing half-written
  }
}

core::Status SqliteStore::Error(const std::string& what) const {
  return core::MakeError(path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

core::Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path_ + ": " + (err ? err : "sqlite error");
    sqlite3_free(err);
    return core::MakeError(msg);
  }
  return {};
}

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::Create(const std::string& path) {
  // SQLite counts every allocation it makes under a global mutex unless told not to before
  // its first use; nothing here reads those counts, and the writer allocates per row.
  static std::once_flag no_memstatus;
  std::call_once(no_memstatus, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  std::string tmp = TempPathFor(path);
  ::unlink(tmp.c_str());
  ::unlink(RetiredPathFor(path).c_str());  // left by a run that ended before removing it
  sqlite3* db = nullptr;
  // One connection, used by one thread at a time (the writer, then Finish's caller): SQLite's
  // own locking of it would only cost time.
  if (sqlite3_open_v2(tmp.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = tmp + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
    if (db) sqlite3_close(db);
    return core::MakeError(msg);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, db));
  // The file is private to this run until renamed: no journal is needed for safety.
  if (auto s = store->Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                           "PRAGMA locking_mode=EXCLUSIVE;");
      !s) {
    return core::MakeError(s.message());
  }
  if (auto s = Migrate(db, SchemaVersion()); !s) return core::MakeError(tmp + ": " + s.message());
  if (auto s = store->DeferIndexes(); !s) return core::MakeError(s.message());
  const char* insert =
      "INSERT INTO flows (id, run_id, capture_index, first_frame, proto, vlan, inner_vlan, "
      "initiator_ip, initiator_port, responder_ip, responder_port, initiator_mac, responder_mac, "
      "midstream, tcp_state, end_reason, first_ts, last_ts, packets_from_initiator, "
      "packets_from_responder, bytes_from_initiator, bytes_from_responder, protocol, "
      "initiator_zone, responder_zone) VALUES "
      "(?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const char* insert_op =
      "INSERT INTO ics_operation_runs (id, capture_index, endpoints, protocol, function_code, "
      "function, category, target, result, count, first_frame, first_ts, operations) VALUES "
      "(?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const char* insert_endpoints =
      "INSERT OR IGNORE INTO ics_endpoints (id, vlan, initiator, initiator_ip, initiator_port, "
      "initiator_mac, responder, responder_ip, responder_port, responder_mac) VALUES "
      "(?,?,?,?,?,?,?,?,?,?)";
  const std::string dns_values = "(?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const std::string insert_dns_head =
      "INSERT INTO dns_messages (id, run_id, protocol, capture_index, frame, ts, flow_id, "
      "transport, src_ip, src_port, dst_ip, dst_port, src_mac, dns_id, response, opcode, rcode, "
      "rcode_name, flags, qdcount, ancount, nscount, arcount, qname, qtype, qtype_name, qclass, "
      "query_frame, malformed) VALUES ";
  const std::string insert_dns = insert_dns_head + dns_values;
  std::string insert_dns_many = insert_dns_head;
  for (size_t n = 0; n < kDnsMessagesPerInsert; ++n) {
    insert_dns_many += (n ? "," : "") + dns_values;
  }
  const std::string record_values = "(?,?,?,?,?,?,?,?,?)";
  const std::string insert_dns_record =
      "INSERT INTO dns_records (message_id, position, section, name, type, type_name, class, "
      "ttl, data) VALUES " +
      record_values;
  std::string insert_dns_record_many = insert_dns_record;
  for (size_t n = 1; n < kDnsRecordsPerInsert; ++n) insert_dns_record_many += "," + record_values;
  const char* insert_remote =
      "INSERT OR IGNORE INTO remote_access_sessions (id, run_id, tool, capture_index, frame, "
      "client_ip, client_port, server_ip, server_port, protocol_version, client_software, "
      "server_software, user, client_fingerprint, server_fingerprint, security) VALUES "
      "(?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const char* insert_transfer =
      "INSERT INTO file_transfers (id, run_id, protocol, command, direction, capture_index, "
      "frame, end_frame, ts, flow_id, data_flow_id, client_ip, client_port, server_ip, "
      "server_port, file_name, location, media_type, bytes, declared_size, complete, sha256, "
      "result) VALUES (?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const char* insert_http =
      "INSERT INTO http_exchanges (id, run_id, protocol, capture_index, request_frame, "
      "response_frame, ts, flow_id, client_ip, client_port, server_ip, server_port, method, uri, "
      "host, user_agent, status, server, content_type, request_body_bytes, response_body_bytes, "
      "file_name) VALUES (?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const char* insert_snmp =
      "INSERT INTO snmp_messages (id, run_id, capture_index, request_frame, response_frame, ts, "
      "flow_id, requester_ip, requester_port, agent_ip, agent_port, version, pdu_type, "
      "pdu_type_name, request_id, error_status, error_index, community_sha256, "
      "default_community, user, engine_id, first_oid, varbinds) VALUES "
      "(?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const char* insert_tls =
      "INSERT OR IGNORE INTO tls_sessions (id, run_id, capture_index, client_hello_frame, "
      "server_hello_frame, ts, client_ip, client_port, server_ip, server_port, sni, "
      "alpn_offered, alpn_chosen, client_version, offered_version, versions_offered, "
      "server_version, cipher, ciphers_offered, ja3, ja3s, ja4, cert_subject, cert_issuer, "
      "cert_not_before, cert_not_after) VALUES "
      "(?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const char* insert_dhcp =
      "INSERT OR IGNORE INTO dhcp_messages (id, run_id, protocol, capture_index, frame, ts, "
      "flow_id, src_ip, src_port, dst_ip, dst_port, src_mac, from_server, message_type, "
      "message_type_name, inner_type, xid, client_mac, client_ip, assigned_ip, server_id, "
      "host_name, fqdn, vendor_class, client_id, parameter_list) VALUES "
      "(?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  const std::pair<BoundStatement*, std::string_view> inserts[] = {
      {&store->flow_insert_, insert},
      {&store->op_insert_, insert_op},
      {&store->endpoints_insert_, insert_endpoints},
      {&store->dns_insert_, insert_dns},
      {&store->dns_many_insert_, insert_dns_many},
      {&store->dns_record_insert_, insert_dns_record},
      {&store->dns_record_many_insert_, insert_dns_record_many},
      {&store->dhcp_insert_, insert_dhcp},
      {&store->tls_insert_, insert_tls},
      {&store->remote_insert_, insert_remote},
      {&store->transfer_insert_, insert_transfer},
      {&store->http_insert_, insert_http},
      {&store->snmp_insert_, insert_snmp},
  };
  for (const auto& [statement, sql] : inserts) {
    if (!statement->Prepare(db, sql)) return core::MakeError(store->Error("prepare").message());
  }
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

core::Status SqliteStore::Submit(Job job) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < kMaxQueued || !writer_error_.empty(); });
  if (!writer_error_.empty()) return core::MakeError(writer_error_);
  queue_.push_back(std::move(job));
  cv_.notify_all();
  return {};
}

void SqliteStore::WriterLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    Job job = std::move(queue_.front());
    queue_.pop_front();
    const bool failed = !writer_error_.empty();
    lock.unlock();
    core::Status s;
    if (!failed) {
      s = job();
    }
    lock.lock();
    if (!s && writer_error_.empty()) writer_error_ = s.message();
    cv_.notify_all();
  }
}

core::Status SqliteStore::StopWriter() {
  if (!writer_.joinable()) return {};
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
  std::lock_guard lock(mu_);
  if (!writer_error_.empty()) return core::MakeError(writer_error_);
  return {};
}

core::Status SqliteStore::AddFlow(const model::FlowRecord& flow) { return Push(flows_, flow); }

core::Status SqliteStore::WriteFlows(std::vector<model::FlowRecord>& batch) {
  if (batch.empty()) return {};
  // Rows go in by id, so the file's layout does not depend on the order flows ended in.
  const auto order = InIdOrder(batch, [](const model::FlowRecord& f) { return f.id; });
  if (auto s = Exec("BEGIN"); !s) return s;
  for (const model::FlowRecord* in_order : order) {
    const model::FlowRecord& f = *in_order;
    flow_insert_.Row()
        .Int(static_cast<int64_t>(f.id))
        .Int(f.capture_index)
        .Int(static_cast<int64_t>(f.first_frame))
        .Int(f.proto)
        .Int(f.vlan)
        .Int(f.inner_vlan)
        .Text(f.initiator_ip)
        .Int(f.initiator_port)
        .Text(f.responder_ip)
        .Int(f.responder_port)
        .Text(f.initiator_mac)
        .Text(f.responder_mac)
        .Int(f.midstream ? 1 : 0)
        .Text(f.tcp_state)
        .Text(f.end_reason)
        .Text(flow_first_text_.Format(f.first_ts))
        .Text(flow_last_text_.Format(f.last_ts))
        .Int(static_cast<int64_t>(f.packets_from_initiator))
        .Int(static_cast<int64_t>(f.packets_from_responder))
        .Int(static_cast<int64_t>(f.bytes_from_initiator))
        .Int(static_cast<int64_t>(f.bytes_from_responder))
        .Text(f.protocol)
        .Text(f.initiator_zone)
        .Text(f.responder_zone);
    const int rc = flow_insert_.Step();
    if (rc != SQLITE_DONE) {
      (void)Exec("ROLLBACK");  // the insert error is the one to report
      return Error("insert flow");
    }
  }
  batch.clear();
  return Exec("COMMIT");
}

uint64_t SqliteStore::OperationId(const dissect::IcsOperation& op) {
  return PlainOperationId(op) | (op.seq & 0xfff);
}

uint64_t SqliteStore::PlainOperationId(const dissect::IcsOperation& op) {
  return static_cast<uint64_t>(op.where.capture_index) << 44 | (op.Frame() & 0xffffffff) << 12;
}

int64_t SqliteStore::FloorMicros(core::Timestamp t) {
  return t.ns / 1000 - (t.ns % 1000 < 0 ? 1 : 0);
}

core::Status SqliteStore::AddIcsOperation(const dissect::IcsOperation& op) {
  if (op.where.flow_id) {
    if (flows_with_ops_.empty()) flows_with_ops_.resize(kFlowSlots, 0);
    flows_with_ops_[op.where.flow_id % kFlowSlots] = op.where.flow_id;
  }
  return Push(ops_, op);
}

core::Status SqliteStore::EndFlowOperations(uint64_t flow_id) {
  if (flow_id == 0 || flows_with_ops_.empty()) return {};
  uint64_t& slot = flows_with_ops_[flow_id % kFlowSlots];
  if (slot != flow_id) return {};
  slot = 0;
  dissect::IcsOperation mark;
  mark.protocol = nullptr;
  mark.where.flow_id = flow_id;
  return Push(ops_, mark);
}

int64_t SqliteStore::EndpointsId(const dissect::IcsOperation& op) {
  const auto& w = op.where;
  if (w.flow_id) {
    return static_cast<int64_t>(w.flow_id << 1 | (w.requester_is_initiator ? 0u : 1u));
  }
  // No flow: the operation's own endpoints, numbered below zero after the operation.
  return -static_cast<int64_t>(OperationId(op) & 0x7fff'ffff'ffff'ffffULL) - 1;
}

core::Status SqliteStore::WriteEndpoints(int64_t id, const dissect::OpEndpoints& w) {
  std::array<std::string, 6> texts;  // requester, its IP, its MAC; device, its IP, its MAC
  auto side = [&](size_t at, const core::IpAddr& ip, uint16_t port, const core::MacAddr& mac) {
    if (ip.IsSet()) texts[at + 1] = ip.ToString();
    if (!mac.IsZero()) texts[at + 2] = mac.ToString();
    if (ip.IsSet()) {
      // "ip:port", "[v6]:port"
      texts[at] =
          (ip.IsV4() ? texts[at + 1] : "[" + texts[at + 1] + "]") + ":" + std::to_string(port);
    } else {
      texts[at] = texts[at + 2];  // link layer: the MAC
    }
  };
  side(0, w.requester_ip, w.requester_port, w.requester_mac);
  side(3, w.device_ip, w.device_port, w.device_mac);
  endpoints_insert_.Row()
      .Int(id)
      .Int(w.vlan)
      .Text(texts[0])
      .Text(texts[1])
      .IntOrNull(w.requester_ip.IsSet(), w.requester_port)
      .Text(texts[2])
      .Text(texts[3])
      .Text(texts[4])
      .IntOrNull(w.device_ip.IsSet(), w.device_port)
      .Text(texts[5]);
  const int rc = endpoints_insert_.Step();
  if (rc != SQLITE_DONE) return Error("insert industrial endpoints");
  return {};
}

core::Status SqliteStore::WriteOperations(std::vector<dissect::IcsOperation>& batch) {
  if (batch.empty()) return {};
  if (last_op_id_.empty()) last_op_id_.resize(kEndpointSlots, {0, 0});
  if (endpoints_written_.empty()) endpoints_written_.resize(kEndpointSlots, 0);
  if (run_cache_.empty()) run_cache_.resize(kEndpointSlots, {});
  if (auto s = Exec("BEGIN"); !s) return s;
  auto fail = [&](core::Status s) {
    (void)Exec("ROLLBACK");  // the insert error is the one to report
    return s;
  };
  for (const dissect::IcsOperation& op : batch) {
    if (IsFlowEnd(op)) {
      if (auto s = CloseFlowRuns(op.where.flow_id); !s) return fail(s);
      continue;
    }
    const int64_t endpoints = EndpointsId(op);
    // A dissector that numbered two operations of one frame alike must not cost the run: the
    // later one takes the next number. Operations of one frame all come from one flow, in a
    // fixed order, so the outcome does not depend on threads or batches.
    uint64_t id = OperationId(op);
    auto& [slot_key, last] = last_op_id_[static_cast<uint64_t>(endpoints) % kEndpointSlots];
    if (slot_key == endpoints && last != 0 && (id >> 12) == (last >> 12) && id <= last) {
      id = last + 1;
    }
    slot_key = endpoints;
    last = id;
    OperationRun* run = CachedRun(endpoints, op);
    if (!run) {
      const RunKey probe{
          endpoints,   op.where.capture_index, op.protocol,     op.function_code, op.function,
          op.category, op.target.view(),       op.result.view()};
      auto it = open_runs_.find(probe);
      run = it != open_runs_.end() ? it->second.get() : OpenRun(endpoints, id, op);
      CacheRun(run);
    }
    OperationRun& r = *run;
    const size_t room = r.json.capacity();
    AppendOperationJson(r, id, op);
    if (r.json.capacity() != room) {
      open_run_bytes_ += r.json.capacity() - room;
      r.charged += r.json.capacity() - room;
    }
    // A full run is done; so is one of an operation without a flow, whose endpoints are its
    // own and take no other.
    if (r.count == kRunOperations || endpoints < 0) {
      if (auto s = CloseRun(r); !s) return fail(s);
    }
  }
  batch.clear();
  // Runs hold their operations until full or until their flow ends; past this much, they are
  // written as they stand (the view's rows are the same, only their grouping into runs
  // differs).
  if (open_run_bytes_ > open_run_limit_) {
    if (auto s = WriteOpenRuns(); !s) return fail(s);
  }
  return Exec("COMMIT");
}

SqliteStore::RunKey SqliteStore::KeyOf(const OperationRun& r) {
  return RunKey{r.endpoints, r.where.capture_index,
                r.protocol,  r.function_code,
                r.function,  r.category,
                r.target,    r.result};
}

SqliteStore::OperationRun* SqliteStore::OpenRun(int64_t endpoints, uint64_t id,
                                                const dissect::IcsOperation& op) {
  auto run = std::make_unique<OperationRun>();
  run->target = std::string(op.target.view());
  run->result = std::string(op.result.view());
  run->protocol = op.protocol;
  run->function = op.function;
  run->function_code = op.function_code;
  run->category = op.category;
  run->endpoints = endpoints;
  run->where = op.where;
  run->id = id;
  run->first_frame = op.Frame();
  run->first_ts = core::FixedText<32>(ts_text_.Format(op.ts));
  run->first_us = FloorMicros(op.ts);
  *run->json.Room(1) = '[';
  run->json.Commit(1);
  run->charged = Footprint(*run);
  open_run_bytes_ += run->charged;
  OperationRun* opened = run.get();
  open_runs_.emplace(KeyOf(*opened), std::move(run));
  peak_open_runs_ = std::max(peak_open_runs_, open_runs_.size());
  if (endpoints >= 0) runs_of_side_[endpoints].push_back(opened);
  return opened;
}

size_t SqliteStore::Footprint(const OperationRun& r) {
  // The run table's node (key, pointer, hash, link) and the endpoints index's pointer.
  constexpr size_t kTableEntry = sizeof(RunKey) + 3 * sizeof(void*) + sizeof(size_t);
  return sizeof(OperationRun) + kTableEntry + r.target.capacity() + r.result.capacity() +
         r.json.capacity();
}

core::Status SqliteStore::CloseRun(OperationRun& r) {
  auto s = WriteRun(r);
  UncacheRun(&r);
  if (r.endpoints >= 0) {
    if (auto side = runs_of_side_.find(r.endpoints); side != runs_of_side_.end()) {
      std::erase(side->second, &r);
      if (side->second.empty()) runs_of_side_.erase(side);
    }
  }
  open_run_bytes_ -= r.charged;
  open_runs_.erase(KeyOf(r));
  return s;
}

core::Status SqliteStore::CloseFlowRuns(uint64_t flow_id) {
  // Taken out of the index first: CloseRun then need not look for each in it, which would
  // cost a flow side of many runs (a run per target) time quadratic in their number.
  std::vector<OperationRun*> runs;
  for (uint64_t side : {flow_id << 1, flow_id << 1 | 1}) {
    auto it = runs_of_side_.find(static_cast<int64_t>(side));
    if (it == runs_of_side_.end()) continue;
    runs.insert(runs.end(), it->second.begin(), it->second.end());
    runs_of_side_.erase(it);
  }
  // In id order, as WriteOpenRuns writes, so that the file's pages do not depend on the index.
  std::sort(runs.begin(), runs.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (OperationRun* r : runs) {
    if (auto s = CloseRun(*r); !s) return s;
  }
  return {};
}

core::Status SqliteStore::WriteOpenRuns() {
  // In id order, so that the file's pages do not depend on the hash table's.
  std::vector<OperationRun*> runs;
  runs.reserve(open_runs_.size());
  for (auto& [key, run] : open_runs_) runs.push_back(run.get());
  std::sort(runs.begin(), runs.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (OperationRun* r : runs) {
    if (auto s = WriteRun(*r); !s) return s;
  }
  for (auto& slot : run_cache_) slot.fill(nullptr);
  open_runs_.clear();
  runs_of_side_.clear();
  open_run_bytes_ = 0;
  return {};
}

core::Status SqliteStore::WriteRun(OperationRun& r) {
  *r.json.Room(1) = ']';
  r.json.Commit(1);
  // The endpoints row, unless written lately; INSERT OR IGNORE keeps the first of an id,
  // which is the same whatever the batches, for one flow's operations come in order.
  int64_t& seen = endpoints_written_[static_cast<uint64_t>(r.endpoints) % kEndpointSlots];
  if (seen != r.endpoints) {
    if (auto s = WriteEndpoints(r.endpoints, r.where); !s) return s;
    seen = r.endpoints;
  }
  op_insert_.Row()
      .Int(static_cast<int64_t>(r.id))
      .Int(r.where.capture_index)
      .Int(r.endpoints)
      .Fixed(r.protocol)
      .Int(r.function_code)
      .Fixed(*r.function ? r.function : "unknown")
      .Fixed(dissect::IcsCategoryName(r.category))
      .Text(r.target)
      .Text(r.result)
      .Int(static_cast<int64_t>(r.count))
      .IntOrNull(r.first_frame != 0, static_cast<int64_t>(r.first_frame))
      .Text(r.first_ts.view())
      .Text(r.json.view());
  const int rc = op_insert_.Step();
  if (rc != SQLITE_DONE) return Error("insert industrial operations");
  return {};
}

char* SqliteStore::RunJson::Grow(size_t n) {
  // From a small start: most runs of a capture of short flows hold an operation or two.
  const size_t grown = std::max({capacity_ * 2, size_ + n, size_t{256}});
  auto bigger = std::make_unique_for_overwrite<char[]>(grown);
  if (size_) std::memcpy(bigger.get(), data_.get(), size_);
  data_ = std::move(bigger);
  capacity_ = grown;
  return data_.get() + size_;
}

void SqliteStore::AppendOperationJson(OperationRun& run, uint64_t id,
                                      const dissect::IcsOperation& op) {
  char* const start = run.json.Room(4 * (core::kMaxDecimalDigits + 1) + 6);
  char* p = start;
  auto signed_number = [&](int64_t v) {
    if (v < 0) *p++ = '-';
    p = core::PutDecimal(p, v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v));
  };
  auto null = [&] {
    std::memcpy(p, "null", 4);
    p += 4;
  };
  if (run.count++ != 0) *p++ = ',';
  *p++ = '[';
  if (op.request_frame) {
    p = core::PutDecimal(p, op.request_frame);
  } else {
    null();
  }
  *p++ = ',';
  if (!op.response_frame) {
    null();
  } else if (op.request_frame) {
    // Below zero for a response numbered before its request; the view adds it back.
    signed_number(static_cast<int64_t>(op.response_frame - op.request_frame));
  } else {
    p = core::PutDecimal(p, op.response_frame);
  }
  *p++ = ',';
  signed_number(FloorMicros(op.ts) - run.first_us);
  if (id != PlainOperationId(op)) {
    *p++ = ',';
    p = core::PutDecimal(p, id);
  }
  *p++ = ']';
  run.json.Commit(static_cast<size_t>(p - start));
}

bool SqliteStore::OperationRun::Takes(int64_t side, const dissect::IcsOperation& op) const {
  return endpoints == side && where.capture_index == op.where.capture_index &&
         function_code == op.function_code && category == op.category &&
         target == op.target.view() && result == op.result.view() &&
         SameText(protocol, op.protocol) && SameText(function, op.function);
}

SqliteStore::OperationRun* SqliteStore::CachedRun(int64_t endpoints,
                                                  const dissect::IcsOperation& op) {
  auto& slot = run_cache_[static_cast<uint64_t>(endpoints) % kEndpointSlots];
  for (size_t i = 0; i < slot.size() && slot[i]; ++i) {
    if (slot[i]->Takes(endpoints, op)) return slot[i];
  }
  return nullptr;
}

void SqliteStore::CacheRun(OperationRun* run) {
  auto& slot = run_cache_[static_cast<uint64_t>(run->endpoints) % kEndpointSlots];
  std::move_backward(slot.begin(), slot.end() - 1, slot.end());
  slot[0] = run;
}

void SqliteStore::UncacheRun(const OperationRun* run) {
  auto& slot = run_cache_[static_cast<uint64_t>(run->endpoints) % kEndpointSlots];
  auto it = std::find(slot.begin(), slot.end(), run);
  if (it == slot.end()) return;
  std::move(it + 1, slot.end(), it);
  slot.back() = nullptr;
}

size_t SqliteStore::RunKeyHash::operator()(const RunKey& k) const {
  // The target eight bytes at a time (it is a few words at most), then the fixed fields.
  uint64_t h = k.target.size() * 0x9e3779b97f4a7c15ULL;
  auto mix = [&](uint64_t v) {
    h = (h ^ v) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  };
  size_t i = 0;
  for (; i + 8 <= k.target.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, k.target.data() + i, 8);
    mix(w);
  }
  if (i < k.target.size()) {
    uint64_t w = 0;
    std::memcpy(&w, k.target.data() + i, k.target.size() - i);
    mix(w);
  }
  mix(static_cast<uint64_t>(k.endpoints));
  mix(uint64_t{k.function_code} << 8 | static_cast<uint64_t>(k.category));
  mix(k.result.size());
  return static_cast<size_t>(h);
}

bool SqliteStore::RunKey::operator==(const RunKey& o) const {
  return endpoints == o.endpoints && capture_index == o.capture_index &&
         function_code == o.function_code && category == o.category && target == o.target &&
         result == o.result && SameText(protocol, o.protocol) && SameText(function, o.function);
}

uint64_t SqliteStore::DnsMessageId(const dissect::DnsObservation& msg) {
  return static_cast<uint64_t>(msg.capture_index) << 44 | (msg.frame & 0xffffffff) << 12 |
         (msg.seq & 0xfff);
}

core::Status SqliteStore::AddDns(const dissect::DnsObservation& msg) {
  DnsRow row;
  row.id = DnsMessageId(msg);
  row.protocol = msg.protocol;
  row.capture_index = msg.capture_index;
  row.frame = msg.frame;
  row.flow_id = msg.flow_id;
  row.query_frame = msg.query_frame;
  row.ts = msg.ts;
  row.transport = msg.transport;
  row.src_ip = msg.src_ip;
  row.dst_ip = msg.dst_ip;
  row.src_port = msg.src_port;
  row.dst_port = msg.dst_port;
  row.src_mac = msg.src_mac;
  row.dns_id = msg.id;
  row.flags = msg.flags;
  row.qdcount = msg.qdcount;
  row.ancount = msg.ancount;
  row.nscount = msg.nscount;
  row.arcount = msg.arcount;
  row.has_question = msg.has_question;
  row.malformed = msg.malformed;
  DnsText& text = dns_.text;
  row.qname_at = text.Add(msg.qname.view());
  row.qname_len = static_cast<uint32_t>(msg.qname.size());
  row.qtype = msg.qtype;
  row.qclass = msg.qclass;
  row.records_at = static_cast<uint32_t>(text.records.size());
  row.records_count = static_cast<uint32_t>(msg.records.size());
  for (const auto& r : msg.records) {
    DnsRecordRow& rec = text.records.emplace_back();
    rec.section = r.section;
    rec.type = r.type;
    rec.rclass = r.rclass;
    rec.ttl = r.ttl;
    rec.name_len = static_cast<uint32_t>(r.name.size());
    rec.name_at = text.Add(r.name.view());
    rec.data_len = static_cast<uint32_t>(r.data.size());
    rec.data_at = text.Add(r.data.view());
  }
  return Push(dns_, row);
}

namespace {

const char* SectionName(uint8_t section) {
  switch (section) {
    case 1:
      return "answer";
    case 2:
      return "authority";
    default:
      return "additional";
  }
}

}  // namespace

void SqliteStore::BindDnsMessage(RowBinder& b, const DnsRow& m, const DnsText& text_of,
                                 DnsRowText& own) {
  const bool response = (m.flags & 0x8000) != 0;
  const uint8_t rcode = m.flags & 0xf;
  const std::string_view ts = ts_text_.Format(m.ts);
  const size_t ts_len = std::min(ts.size(), own.ts.size());
  std::copy_n(ts.data(), ts_len, own.ts.data());
  const size_t src_len = m.src_ip.Format(own.src);
  const size_t dst_len = m.dst_ip.Format(own.dst);
  if (!m.src_mac.IsZero()) m.src_mac.Format(own.mac);
  b.Int(static_cast<int64_t>(m.id))
      .Fixed(m.protocol)
      .Int(m.capture_index)
      .Int(static_cast<int64_t>(m.frame))
      .Text(std::string_view(own.ts.data(), ts_len))
      .IntOrNull(m.flow_id != 0, static_cast<int64_t>(m.flow_id))
      .Fixed(m.transport == 6 ? "tcp" : "udp")
      .Text(std::string_view(own.src.data(), src_len))
      .Int(m.src_port)
      .Text(std::string_view(own.dst.data(), dst_len))
      .Int(m.dst_port)
      .Text(m.src_mac.IsZero() ? std::string_view()
                               : std::string_view(own.mac.data(), own.mac.size()))
      .Int(m.dns_id)
      .Int(response ? 1 : 0)
      .Int((m.flags >> 11) & 0xf)
      .IntOrNull(response, rcode)
      .Fixed(response ? dissect::dns::RcodeName(rcode) : nullptr)
      .Int(m.flags)
      .Int(m.qdcount)
      .Int(m.ancount)
      .Int(m.nscount)
      .Int(m.arcount)
      .Text(m.has_question ? text_of.View(m.qname_at, m.qname_len) : std::string_view())
      .IntOrNull(m.has_question, m.qtype)
      .Fixed(m.has_question ? dissect::dns::TypeName(m.qtype) : nullptr)
      .IntOrNull(m.has_question, m.qclass)
      .IntOrNull(m.query_frame != 0, static_cast<int64_t>(m.query_frame))
      .Int(m.malformed ? 1 : 0);
}

bool SqliteStore::InsertableTogether(std::span<const DnsRow> rows) const {
  uint64_t above = dns_max_id_;
  for (const DnsRow& m : rows) {
    // NOT NULL columns that a row could leave empty, and ids that could collide: such a row
    // goes alone, where a failure skips it instead of aborting its neighbours.
    if (m.id <= above || !m.src_ip.IsSet() || !m.dst_ip.IsSet() || !m.protocol || !*m.protocol) {
      return false;
    }
    above = m.id;
  }
  return true;
}

core::Status SqliteStore::WriteDns(std::vector<DnsRow>& batch, DnsText& text_of) {
  if (batch.empty()) return {};
  auto by_id = [](const DnsRow& a, const DnsRow& b) { return a.id < b.id; };
  // Messages over UDP come in frame order; only those of TCP streams can be late.
  if (!std::is_sorted(batch.begin(), batch.end(), by_id)) {
    std::stable_sort(batch.begin(), batch.end(), by_id);
  }
  if (auto s = Exec("BEGIN"); !s) return s;
  auto fail = [&](const char* what) {
    core::Status s = Error(what);
    (void)Exec("ROLLBACK");  // the insert error is the one to report
    return s;
  };
  // A stored message's records: their keys are new with it, so they go in by the
  // statement's worth whatever their messages, and the rest one by one at the end.
  dns_pending_records_.clear();
  auto bind_record = [&](RowBinder& b, const PendingRecord& p) {
    const DnsRecordRow& r = text_of.records[p.index];
    b.Int(static_cast<int64_t>(p.message_id))
        .Int(static_cast<int64_t>(p.position))
        .Fixed(SectionName(r.section))
        .TextOrEmpty(text_of.View(r.name_at, r.name_len))
        .Int(r.type)
        .Fixed(dissect::dns::TypeName(r.type))
        .Int(r.rclass)
        .Int(r.ttl)
        .TextOrEmpty(text_of.View(r.data_at, r.data_len));
  };
  size_t records_done = 0;  // of dns_pending_records_, already stored
  auto records = [&](const DnsRow& m) {
    for (uint32_t n = 0; n < m.records_count; ++n) {
      dns_pending_records_.push_back({m.id, n, m.records_at + n});
    }
    while (dns_pending_records_.size() - records_done >= kDnsRecordsPerInsert) {
      RowBinder& b = dns_record_many_insert_.Row();
      for (size_t n = 0; n < kDnsRecordsPerInsert; ++n) {
        bind_record(b, dns_pending_records_[records_done + n]);
      }
      const int rc = dns_record_many_insert_.Step();
      if (rc != SQLITE_DONE) return false;
      records_done += kDnsRecordsPerInsert;
    }
    return true;
  };
  const std::span<const DnsRow> rows(batch);
  size_t at = 0;
  while (at < rows.size()) {
    // Rows by the statement's worth in one INSERT: a statement's own cost (its start, its
    // halt, the seek of its table) is then paid once for all of them.
    if (rows.size() - at >= kDnsMessagesPerInsert &&
        InsertableTogether(rows.subspan(at, kDnsMessagesPerInsert))) {
      RowBinder& b = dns_many_insert_.Row();
      for (size_t n = 0; n < kDnsMessagesPerInsert; ++n) {
        BindDnsMessage(b, rows[at + n], text_of, dns_row_text_[n]);
      }
      const int rc = dns_many_insert_.Step();
      if (rc != SQLITE_DONE) return fail("insert DNS messages");
      for (size_t n = 0; n < kDnsMessagesPerInsert; ++n) {
        if (!records(rows[at + n])) return fail("insert DNS record");
      }
      dns_max_id_ = rows[at + kDnsMessagesPerInsert - 1].id;
      at += kDnsMessagesPerInsert;
      continue;
    }
    const DnsRow& m = rows[at++];
    BindDnsMessage(dns_insert_.Row(), m, text_of, dns_row_text_[0]);
    const int rc = dns_insert_.Step();
    // A message numbered like one already stored (which no dissector does) is skipped.
    if (rc == SQLITE_CONSTRAINT) continue;
    if (rc != SQLITE_DONE) return fail("insert DNS message");
    dns_max_id_ = std::max(dns_max_id_, m.id);
    if (!records(m)) return fail("insert DNS record");
  }
  for (size_t n = records_done; n < dns_pending_records_.size(); ++n) {
    bind_record(dns_record_insert_.Row(), dns_pending_records_[n]);
    const int rc = dns_record_insert_.Step();
    if (rc != SQLITE_DONE) return fail("insert DNS record");
  }
  dns_pending_records_.clear();
  batch.clear();
  return Exec("COMMIT");
}

core::Status SqliteStore::AddRemoteAccess(const dissect::RemoteAccessObservation& session) {
  return Push(remote_, session);
}

core::Status SqliteStore::WriteRemoteAccess(std::vector<dissect::RemoteAccessObservation>& batch) {
  // One row per flow: keyed by the flow's id (a second session of a flow is ignored).
  auto id_of = [](const dissect::RemoteAccessObservation& m) { return m.flow_id; };
  return WriteKeyed<dissect::RemoteAccessObservation>(
      batch, remote_insert_, "remote-access session", +id_of,
      [&](RowBinder& b, const dissect::RemoteAccessObservation& m) {
        b.Fixed(m.tool).Int(m.capture_index).Int(static_cast<int64_t>(m.frame));
        b.Text(client_text_.Set(m.client_ip)).Int(m.client_port);
        b.Text(server_text_.Set(m.server_ip)).Int(m.server_port);
        b.Text(m.protocol_version.view()).Text(m.client_software.view());
        b.Text(m.server_software.view()).Text(m.user.view());
        b.Text(m.client_fingerprint.view()).Text(m.server_fingerprint.view());
        b.Text(m.security.view());
      });
}

uint64_t SqliteStore::FileTransferId(const dissect::FileTransferObservation& t) {
  return static_cast<uint64_t>(t.capture_index) << 44 | (t.frame & 0xffffffff) << 12 |
         (t.seq & 0xfff);
}

core::Status SqliteStore::AddFileTransfer(const dissect::FileTransferObservation& transfer) {
  return Push(transfers_, transfer);
}

core::Status SqliteStore::WriteFileTransfers(std::vector<dissect::FileTransferObservation>& batch) {
  return WriteKeyed<dissect::FileTransferObservation>(
      batch, transfer_insert_, "file transfer", &FileTransferId,
      [&](RowBinder& b, const dissect::FileTransferObservation& t) {
        b.Fixed(t.protocol).Fixed(t.command).Fixed(t.upload ? "upload" : "download");
        b.Int(t.capture_index).Int(static_cast<int64_t>(t.frame));
        b.IntOrNull(t.end_frame != 0, static_cast<int64_t>(t.end_frame));
        b.Text(ts_text_.Format(t.ts)).Int(static_cast<int64_t>(t.flow_id));
        b.IntOrNull(t.data_flow_id != 0, static_cast<int64_t>(t.data_flow_id));
        b.Text(client_text_.Set(t.client_ip)).Int(t.client_port);
        b.Text(server_text_.Set(t.server_ip)).Int(t.server_port);
        b.Text(t.file_name.view()).Text(t.location.view()).Text(t.media_type.view());
        b.Int(static_cast<int64_t>(t.bytes)).IntOrNull(t.declared_size >= 0, t.declared_size);
        b.Int(t.complete ? 1 : 0).Text(t.sha256.view()).Text(t.result.view());
      });
}

namespace {

// The row id of an observation keyed on (capture, frame, sequence), as operations are.
uint64_t KeyedId(uint32_t capture_index, uint64_t frame, uint32_t seq) {
  return static_cast<uint64_t>(capture_index) << 44 | (frame & 0xffffffff) << 12 | (seq & 0xfff);
}

const char* SnmpPduName(uint8_t type) {
  static constexpr const char* kNames[] = {
      "get-request",      "get-next-request", "response",    "set-request", "trap",
      "get-bulk-request", "inform-request",   "snmpV2-trap", "report"};
  return type < std::size(kNames) ? kNames[type] : nullptr;
}

}  // namespace

core::Status SqliteStore::AddHttp(const dissect::HttpObservation& exchange) {
  return Push(http_, exchange);
}

core::Status SqliteStore::AddSnmp(const dissect::SnmpObservation& msg) { return Push(snmp_, msg); }

template <class Row, class Bind>
core::Status SqliteStore::WriteKeyed(std::vector<Row>& batch, BoundStatement& insert,
                                     const char* what, uint64_t (*id_of)(const Row&), Bind&& bind) {
  if (batch.empty()) return {};
  // By id, so that the file does not depend on the order rows came in; a taken id (two
  // rows keyed alike, from different shards) moves up.
  const auto order = InIdOrder(batch, id_of);
  if (auto s = Exec("BEGIN"); !s) return s;
  for (const Row* in_order : order) {
    const Row& row = *in_order;
    bind(insert.Row().Int(static_cast<int64_t>(id_of(row))), row);
    int rc = insert.Step();
    // A taken id: the next one, the other parameters as they are (a reset keeps them).
    for (uint64_t retry = 1; retry < kMaxSeqRetries && rc == SQLITE_CONSTRAINT; ++retry) {
      insert.Row().Int(static_cast<int64_t>(id_of(row) + retry));
      rc = insert.Step();
    }
    if (rc != SQLITE_DONE) {
      core::Status err = Error(std::string("insert ") + what);
      (void)Exec("ROLLBACK");  // the insert error is the one to report
      return err;
    }
  }
  batch.clear();
  return Exec("COMMIT");
}

core::Status SqliteStore::WriteHttp(std::vector<dissect::HttpObservation>& batch) {
  auto id_of = [](const dissect::HttpObservation& x) {
    return KeyedId(x.capture_index, x.request_frame ? x.request_frame : x.response_frame, x.seq);
  };
  return WriteKeyed<dissect::HttpObservation>(
      batch, http_insert_, "HTTP exchange", +id_of,
      [&](RowBinder& b, const dissect::HttpObservation& x) {
        b.Fixed(x.protocol).Int(x.capture_index);
        b.IntOrNull(x.request_frame != 0, static_cast<int64_t>(x.request_frame));
        b.IntOrNull(x.response_frame != 0, static_cast<int64_t>(x.response_frame));
        b.Text(ts_text_.Format(x.ts)).Int(static_cast<int64_t>(x.flow_id));
        b.Text(client_text_.Set(x.client_ip)).Int(x.client_port);
        b.Text(server_text_.Set(x.server_ip)).Int(x.server_port);
        b.Text(x.method.view()).Text(x.uri.view()).Text(x.host.view()).Text(x.user_agent.view());
        b.IntOrNull(x.status != 0, x.status).Text(x.server.view()).Text(x.content_type.view());
        b.Int(static_cast<int64_t>(x.request_body_bytes));
        b.Int(static_cast<int64_t>(x.response_body_bytes)).Text(x.file_name.view());
      });
}

core::Status SqliteStore::WriteSnmp(std::vector<dissect::SnmpObservation>& batch) {
  auto id_of = [](const dissect::SnmpObservation& m) {
    return KeyedId(m.capture_index, m.request_frame ? m.request_frame : m.response_frame, m.seq);
  };
  return WriteKeyed<dissect::SnmpObservation>(
      batch, snmp_insert_, "SNMP message", +id_of,
      [&](RowBinder& b, const dissect::SnmpObservation& m) {
        b.Int(m.capture_index);
        b.IntOrNull(m.request_frame != 0, static_cast<int64_t>(m.request_frame));
        b.IntOrNull(m.response_frame != 0, static_cast<int64_t>(m.response_frame));
        b.Text(ts_text_.Format(m.ts)).Int(static_cast<int64_t>(m.flow_id));
        b.Text(client_text_.Set(m.requester_ip)).Int(m.requester_port);
        b.Text(server_text_.Set(m.agent_ip)).Int(m.agent_port);
        b.Int(m.version);
        if (m.has_pdu) {
          b.Int(m.pdu_type).Fixed(SnmpPduName(m.pdu_type));
        } else {
          b.Null().Null();
        }
        b.Int(m.request_id).Int(m.error_status).Int(m.error_index);
        b.Text(m.community_sha256.view()).Int(m.default_community ? 1 : 0);
        b.Text(m.user.view()).Text(m.engine_id.view()).Text(m.first_oid.view()).Int(m.varbinds);
      });
}

core::Status SqliteStore::AddTls(const dissect::TlsObservation& hs) { return Push(tls_, hs); }

core::Status SqliteStore::WriteTls(std::vector<dissect::TlsObservation>& batch) {
  // One row per flow, keyed by the flow's id.
  auto id_of = [](const dissect::TlsObservation& m) { return m.flow_id; };
  return WriteKeyed<dissect::TlsObservation>(
      batch, tls_insert_, "TLS session", +id_of,
      [&](RowBinder& b, const dissect::TlsObservation& m) {
        auto version = [&](size_t at, uint16_t v) {
          tls_versions_[at] = v ? dissect::tls::VersionName(v) : core::FixedText<16>();
          return tls_versions_[at].view();
        };
        const uint16_t cipher = m.server_hello_frame ? m.cipher : 0;
        b.Int(m.capture_index);
        b.IntOrNull(m.client_hello_frame != 0, static_cast<int64_t>(m.client_hello_frame));
        b.IntOrNull(m.server_hello_frame != 0, static_cast<int64_t>(m.server_hello_frame));
        b.Text(ts_text_.Format(m.ts));
        b.Text(client_text_.Set(m.client_ip)).Int(m.client_port);
        b.Text(server_text_.Set(m.server_ip)).Int(m.server_port);
        b.Text(m.sni.view()).Text(m.alpn_offered.view()).Text(m.alpn_chosen.view());
        b.Text(version(0, m.client_version)).Text(version(1, m.offered_version));
        b.Text(m.versions_offered.view()).Text(version(2, m.server_version));
        b.IntOrNull(cipher != 0, cipher).Text(m.ciphers_offered.view());
        b.Text(m.ja3.view()).Text(m.ja3s.view()).Text(m.ja4.view());
        b.Text(m.subject.view()).Text(m.issuer.view());
        b.Text(m.not_before.view()).Text(m.not_after.view());
      });
}

core::Status SqliteStore::AddDhcp(const dissect::DhcpObservation& msg) { return Push(dhcp_, msg); }

core::Status SqliteStore::WriteDhcp(std::vector<dissect::DhcpObservation>& batch) {
  if (batch.empty()) return {};
  auto id_of = [](const dissect::DhcpObservation& m) {
    return static_cast<uint64_t>(m.capture_index) << 44 | (m.frame & 0xffffffff) << 12;
  };
  std::stable_sort(batch.begin(), batch.end(),
                   [&](const auto& a, const auto& b) { return id_of(a) < id_of(b); });
  if (auto s = Exec("BEGIN"); !s) return s;
  for (const auto& m : batch) {
    auto address = [](const core::IpAddr& ip) {
      return ip.IsSet() && !ip.IsUnspecified() ? ip.ToString() : std::string();
    };
    auto mac = [](const core::MacAddr& a) { return a.IsZero() ? std::string() : a.ToString(); };
    const std::string src = m.src_ip.ToString(), dst = m.dst_ip.ToString();
    const std::string src_mac = mac(m.src_mac), client_mac = mac(m.client_mac);
    const std::string client_ip = address(m.client_ip), assigned = address(m.assigned_ip);
    const std::string server_id = address(m.server_id);
    const bool v6 = std::string_view(m.protocol) == "dhcpv6";
    const char* type_name = v6 ? nullptr : dissect::dhcp::MessageTypeName(m.message_type);
    dhcp_insert_.Row()
        .Int(static_cast<int64_t>(id_of(m)))
        .Fixed(m.protocol)
        .Int(m.capture_index)
        .Int(static_cast<int64_t>(m.frame))
        .Text(ts_text_.Format(m.ts))
        .IntOrNull(m.flow_id != 0, static_cast<int64_t>(m.flow_id))
        .Text(src)
        .Int(m.src_port)
        .Text(dst)
        .Int(m.dst_port)
        .Text(src_mac)
        .Int(m.from_server ? 1 : 0)
        .Int(m.message_type)
        .Fixed(type_name)
        .Int(m.inner_type)
        .Int(m.xid)
        .Text(client_mac)
        .Text(client_ip)
        .Text(assigned)
        .Text(server_id)
        .Text(m.host_name.view())
        .Text(m.fqdn.view())
        .Text(m.vendor_class.view())
        .Text(m.client_id.view())
        .Text(m.parameter_list.view());
    const int rc = dhcp_insert_.Step();
    if (rc != SQLITE_DONE) {
      core::Status err = Error("insert DHCP message");
      (void)Exec("ROLLBACK");  // the insert error is the one to report
      return err;
    }
  }
  batch.clear();
  return Exec("COMMIT");
}

core::Status SqliteStore::Finish(const model::RunReport& report, const std::string& summary,
                                 const policy::PolicyOutcome* policy) {
  // The last partial batches, then the writer stops: from here on this thread alone uses
  // the connection.
  for (auto s : {Flush(flows_), Flush(ops_), Flush(dns_), Flush(dhcp_), Flush(tls_), Flush(remote_),
                 Flush(transfers_), Flush(http_), Flush(snmp_)}) {
    if (!s) return s;
  }
  if (auto s = StopWriter(); !s) return s;
  if (auto s = Exec("BEGIN"); !s) return s;
  if (auto s = WriteOpenRuns(); !s) {
    (void)Exec("ROLLBACK");  // the write error is the one to report
    return s;
  }
  sqlite3_stmt* st = nullptr;
  auto prepare = [&](const char* sql) {
    if (st) sqlite3_finalize(st);
    st = nullptr;
    return sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) == SQLITE_OK;
  };
  auto bind_text = [&](int i, const std::string& s) {
    sqlite3_bind_text(st, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  auto step = [&]() {
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ok;
  };
  bool ok = prepare(
      "INSERT INTO runs (id, quaywatch_version, frames, bytes, first_ts, last_ts, summary) "
      "VALUES (1,?,?,?,?,?,?)");
  if (ok) {
    bind_text(1, report.version);
    sqlite3_bind_int64(st, 2, static_cast<int64_t>(report.frames()));
    sqlite3_bind_int64(st, 3, static_cast<int64_t>(report.bytes()));
    if (auto t = report.first_ts()) bind_text(4, core::FormatIso8601(*t));
    if (auto t = report.last_ts()) bind_text(5, core::FormatIso8601(*t));
    bind_text(6, summary);
    ok = step();
  }
  ok = ok && prepare(
                 "INSERT INTO assets (id, run_id, mac, vendor, seen_via, gateway, roles, "
                 "first_ts, last_ts, packets, bytes, first_capture, first_frame, detail) "
                 "VALUES (?,1,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (size_t n = 0; ok && n < report.assets.size(); ++n) {
    const auto& a = report.assets[n];
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(a.id));
    if (a.mac) bind_text(2, a.mac->ToString());
    if (!a.vendor.empty()) bind_text(3, a.vendor);
    if (a.via) bind_text(4, a.via->ToString());
    sqlite3_bind_int(st, 5, a.gateway ? 1 : 0);
    std::string roles = "[";
    for (size_t r = 0; r < a.roles.size(); ++r) {
      roles += (r ? ",\"" : "\"") + a.roles[r].role + "\"";
    }
    bind_text(6, roles + "]");
    bind_text(7, core::FormatIso8601(a.first_ts));
    bind_text(8, core::FormatIso8601(a.last_ts));
    sqlite3_bind_int64(st, 9, static_cast<int64_t>(a.packets));
    sqlite3_bind_int64(st, 10, static_cast<int64_t>(a.bytes));
    sqlite3_bind_int64(st, 11, a.first_seen.capture_index);
    sqlite3_bind_int64(st, 12, static_cast<int64_t>(a.first_seen.frame));
    bind_text(13, AssetJsonText(a));
    ok = step();
  }
  ok = ok && prepare("INSERT INTO asset_addresses (asset_id, kind, address) VALUES (?,?,?)");
  for (size_t n = 0; ok && n < report.assets.size(); ++n) {
    const auto& a = report.assets[n];
    if (a.mac) {
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(a.id));
      bind_text(2, "mac");
      bind_text(3, a.mac->ToString());
      ok = step();
    }
    for (size_t k = 0; ok && k < a.ips.size(); ++k) {
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(a.id));
      bind_text(2, a.ips[k].IsV4() ? "ipv4" : "ipv6");
      bind_text(3, a.ips[k].ToString());
      ok = step();
    }
  }
  ok = ok && prepare(
                 "INSERT INTO plc_blocks (id, run_id, protocol, direction, plc_ip, plc_port, "
                 "peer_ip, peer_port, vlan, block, block_type, block_number, size, sha256, "
                 "complete, capture_index, flow_id, first_frame, last_frame, first_ts, last_ts) "
                 "VALUES (?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (size_t n = 0; ok && n < report.plc_blocks.size(); ++n) {
    const auto& b = report.plc_blocks[n];
    sqlite3_bind_int64(st, 1, static_cast<int64_t>(n + 1));
    bind_text(2, b.protocol);
    bind_text(3, b.direction);
    bind_text(4, b.plc_ip.ToString());
    sqlite3_bind_int(st, 5, b.plc_port);
    bind_text(6, b.peer_ip.ToString());
    sqlite3_bind_int(st, 7, b.peer_port);
    sqlite3_bind_int(st, 8, b.vlan);
    bind_text(9, b.block);
    bind_text(10, b.block_type);
    sqlite3_bind_int64(st, 11, b.block_number);
    sqlite3_bind_int64(st, 12, static_cast<int64_t>(b.size));
    bind_text(13, b.sha256);
    sqlite3_bind_int(st, 14, b.complete ? 1 : 0);
    sqlite3_bind_int64(st, 15, b.capture_index);
    sqlite3_bind_int64(st, 16, static_cast<int64_t>(b.flow_id));
    sqlite3_bind_int64(st, 17, static_cast<int64_t>(b.first_frame));
    sqlite3_bind_int64(st, 18, static_cast<int64_t>(b.last_frame));
    bind_text(19, core::FormatIso8601(b.first_ts));
    bind_text(20, core::FormatIso8601(b.last_ts));
    ok = step();
  }
  if (policy) {
    ok = ok && prepare(
                   "INSERT INTO findings (id, run_id, type, severity, title, first_ts, last_ts, "
                   "count, detail) VALUES (?,1,?,?,?,?,?,?,?)");
    for (size_t n = 0; ok && n < policy->findings.size(); ++n) {
      const auto& f = policy->findings[n];
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(n + 1));
      bind_text(2, f.type);
      bind_text(3, policy::SeverityName(f.severity));
      bind_text(4, f.title);
      bind_text(5, core::FormatIso8601(f.first_ts));
      bind_text(6, core::FormatIso8601(f.last_ts));
      sqlite3_bind_int64(st, 7, static_cast<int64_t>(f.count));
      bind_text(8, FindingJsonText(f, report));
      ok = step();
    }
    ok = ok && prepare(
                   "INSERT INTO policy_zones (position, run_id, name, kind, description, inside, "
                   "subnets, vlans) VALUES (?,1,?,?,?,?,?,?)");
    for (size_t n = 0; ok && n < policy->zone_list.size(); ++n) {
      const auto& z = policy->zone_list[n];
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(n));
      bind_text(2, z.name);
      bind_text(3, z.kind);
      if (!z.description.empty()) bind_text(4, z.description);
      if (!z.inside.empty()) bind_text(5, z.inside);
      bind_text(6, nlohmann::json(z.subnets).dump());
      bind_text(7, nlohmann::json(z.vlans).dump());
      ok = step();
    }
    ok = ok && prepare(
                   "INSERT INTO policy_conduits (position, run_id, from_zone, to_zone, services, "
                   "allow, purpose) VALUES (?,1,?,?,?,?,?)");
    for (size_t n = 0; ok && n < policy->conduit_list.size(); ++n) {
      const auto& c = policy->conduit_list[n];
      sqlite3_bind_int64(st, 1, static_cast<int64_t>(n));
      bind_text(2, c.from);
      bind_text(3, c.to);
      bind_text(4, nlohmann::json(c.services).dump());
      bind_text(5, nlohmann::json(c.allow).dump());
      if (!c.purpose.empty()) bind_text(6, c.purpose);
      ok = step();
    }
  }
  if (st) sqlite3_finalize(st);
  if (!ok) {
    core::Status err = Error("write run");
    (void)Exec("ROLLBACK");  // the write error is the one to report
    return err;
  }
  if (auto s = BuildIndexes(); !s) {
    (void)Exec("ROLLBACK");  // the index error is the one to report
    return s;
  }
  if (auto s = Exec("COMMIT"); !s) return s;
  FinalizeStatements();
  if (sqlite3_close(db_) != SQLITE_OK) return Error("close");
  db_ = nullptr;
  return CommitFile();
}

core::Status SqliteStore::CommitFile() {
  // An earlier run's database at the final name is swapped out rather than renamed over, and
  // removed on a thread of its own: dropping a large file's last name makes the kernel free
  // its cached pages there and then (25 ms for the 28 MB file of the 1M-frame terminal mix),
  // which the rest of the run (the JSON files, the report) need not wait for. Either way the
  // final name holds a whole file at every moment.
  const std::string tmp = TempPathFor(path_);
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
    const std::string retired = RetiredPathFor(path_);
    if (::rename(tmp.c_str(), retired.c_str()) == 0) {
      retired_ = std::thread([retired] { ::unlink(retired.c_str()); });
    } else {
      ::unlink(tmp.c_str());
    }
    return {};
  }
  // No earlier file (ENOENT), or a filesystem that cannot swap names: a plain rename.
  return CommitTempFile(tmp, path_);
}

}  // namespace qw::output
