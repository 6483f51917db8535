// A real TLS 1.2 handshake for the tests of protocols that carry one (RDP's security
// protocols, VNC's VeNCrypt): rdp/rdp-no-cookie-mstshash.pcap frame 11, the client's
// ClientHello (tshark, decoding port 3389 as TLS: JA3 c12f54a3f91dc7bafd92cb59fe009a35), and
// frame 13, the server's ServerHello (TLS 1.2, TLS_RSA_WITH_AES_256_GCM_SHA384), Certificate
// (subject CN=CLK-456040-D.one.phoenix.gov) and ServerHelloDone in one record (JA3S
// ba1b42efc7dc57bb43bf81de59791c1b).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace qw::dissect::testing {

/// The client's ClientHello record.
inline constexpr std::string_view kCredSspClientHello = R"(
  160303008e0100008a030367b4ac55e203e3879630e7d66974024e01872f2bff
  a34b65c070b61a385929c700002ac02cc02bc030c02f009f009ec024c023c028
  c027c00ac009c014c013009d009c003d003c0035002f000a01000037000a0008
  0006001d00170018000b00020100000d00140012040105010201040305030203
  0202060106030023000000170000ff01000100
)";
/// The server's first flight, one record.
inline constexpr std::string_view kCredSspServerFlight = R"(
  160303036302000051030367b4ac55f715634e9a3e6f7f25d90548bdd32d83d9
  843132e20205f2c2392c9d20704a000082792136996dfcd6a7c1a69c0173e9f5
  77bf6b7323f575c4bb2d0ae7009d00000900170000ff010001000b0003060003
  03000300308202fc308201e4a0030201020210785897aeaaabc0bd4ac73f6eb2
  75d540300d06092a864886f70d01010b05003027312530230603550403131c43
  4c4b2d3435363034302d442e6f6e652e70686f656e69782e676f76301e170d32
  34313130323233313931395a170d3235303530343233313931395a3027312530
  230603550403131c434c4b2d3435363034302d442e6f6e652e70686f656e6978
  2e676f7630820122300d06092a864886f70d01010105000382010f003082010a
  0282010100a578757d98228dce3525476a2c07a92577e5cf17050ad28f95fa56
  c7755c654ea9497f806bb695b7283f1e6accf7036d248d3ea5021a749628c247
  1db85bedcc61a1ec8f1a8af1b291033d2402e6df02d044e6db0383b702ae9fc4
  6658dbead9c44d56b9f8de43ce150e1fc6a231aad76d20f3280042f237e00256
  2104b077753a459402cf9cd6cbc96aa46f9c0913f0d35bdaf421e03e7816100c
  5c0bb59484ee3f7d70c9c97952a46b3e9c4839815b26af9da877dfc1cb8e871d
  491c1cf571404fb17b634965d5a452c9b6e176acc972290f43eef8492d556e64
  3b6d7165b754ea8fad1f2bac3966c5a62df706347d22b6881564250c61840a57
  2e3d9e44a90203010001a324302230130603551d25040c300a06082b06010505
  070301300b0603551d0f040403020430300d06092a864886f70d01010b050003
  820101006f83108524b2e1409e5d15d24a4f56386cc62d1b6f36b6d2399c447b
  5a521e18924d0f0263def041314ab4b17f51e9f26ca6155993b4a53195f7d445
  630d1bb7d6e5f02b946f53e94bae67ac015682e1356db46662273d1cb118e2ad
  fd5e60a62f7d4b823d48e1618b945a6bd2ccb751266c24ef6eaed76bb16c240b
  af85c74f5d8d9550d86818f5dde6f59d4095e29e3f3afb79d9238d9fc2ab732b
  a8852f778c039919c4c395fa8ceb64398aa6d9feac8c50ea185f06dc2e4a1fc4
  d67b6aaf5a9ca74f82f03678d59237ecbde52fd3111026667550eda20b79d5eb
  0326ed12feffa528683c57e76f01a87a445c89bd88a1841513f86cc4daa60449
  67dec6ad0e000000
)";

/// A ClientHello body with FoxIO's JA4 example (README of FoxIO-LLC/ja4: 15 suites, 16
/// extensions, ALPN h2, TLS 1.3), plus GREASE values that every fingerprint must ignore.
inline std::vector<uint8_t> Ja4ExampleHello() {
  std::vector<uint8_t> b = {0x03, 0x03};
  b.resize(2 + 32, 0x11);  // random
  b.push_back(0);          // session id
  const std::vector<uint16_t> suites = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                        0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                        0x009c, 0x009d, 0x002f, 0x0035};
  auto put16 = [&](std::vector<uint8_t>& v, uint16_t x) {
    v.push_back(static_cast<uint8_t>(x >> 8));
    v.push_back(static_cast<uint8_t>(x));
  };
  put16(b, static_cast<uint16_t>(2 * suites.size()));
  for (uint16_t s : suites) put16(b, s);
  b.push_back(1);
  b.push_back(0);
  std::vector<uint8_t> ext;
  auto add = [&](uint16_t type, const std::vector<uint8_t>& data) {
    put16(ext, type);
    put16(ext, static_cast<uint16_t>(data.size()));
    ext.insert(ext.end(), data.begin(), data.end());
  };
  const std::vector<uint8_t> sni = {0x00, 0x0e, 0x00, 0x00, 0x0b, 'e', 'x', 'a',
                                    'm',  'p',  'l',  'e',  '.',  'o', 'r', 'g'};
  const std::vector<uint8_t> alpn = {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h',
                                     't',  't',  'p',  '/', '1', '.',  '1'};
  std::vector<uint8_t> sigs = {0x00, 0x10};
  for (uint16_t s :
       std::vector<uint16_t>{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}) {
    put16(sigs, s);
  }
  const std::vector<uint8_t> versions = {0x06, 0x2a, 0x2a, 0x03, 0x04, 0x03, 0x03};
  add(0x1a1a, {});  // GREASE
  add(0x0000, sni);
  add(0x0017, {});
  add(0xff01, {0x00});
  add(0x000a, {0x00, 0x06, 0x2a, 0x2a, 0x00, 0x1d, 0x00, 0x17});
  add(0x000b, {0x01, 0x00});
  add(0x0023, {});
  add(0x0010, alpn);
  add(0x0005, {0x01, 0x00, 0x00, 0x00, 0x00});
  add(0x000d, sigs);
  add(0x0012, {});
  add(0x0033, {0x00, 0x00});
  add(0x002d, {0x01, 0x01});
  add(0x002b, versions);
  add(0x001b, {0x02, 0x00, 0x02});
  add(0x4469, {0x00, 0x03, 0x02, 'h', '2'});
  add(0x0015, {0x00, 0x00});
  put16(b, static_cast<uint16_t>(ext.size()));
  b.insert(b.end(), ext.begin(), ext.end());
  return b;
}

}  // namespace qw::dissect::testing
