// Tests of the ONVIF parsers: element text by local name, a GetDeviceInformationResponse
// body and a WS-Discovery ProbeMatch built for the test, decoys, and every truncated
// prefix.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "dissect/onvif/onvif_parser.h"
#include "dissect_harness.h"

namespace qw::dissect {
namespace {

using testing::ForEachPrefix;

std::vector<uint8_t> Bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(OnvifParser, ElementTextByLocalName) {
  bool capped = false;
  EXPECT_EQ(onvif::ElementText("<a:Model> X </a:Model>", "Model", capped), "X");
  EXPECT_EQ(onvif::ElementText("<Model>Y</Model>", "Model", capped), "Y");
  // A longer name that ends alike, and an end tag, are not the element.
  EXPECT_EQ(onvif::ElementText("<a:SubModel>no</a:SubModel><b:Model>Z</b:Model>", "Model", capped),
            "Z");
  EXPECT_EQ(onvif::ElementText("</Model>", "Model", capped), "");
  EXPECT_EQ(onvif::ElementText("Model>", "Model", capped), "");
  EXPECT_FALSE(capped);
  std::string decoys;
  for (size_t i = 0; i < onvif::kMaxNameHits; ++i) decoys += "<x Model=1/>";
  EXPECT_EQ(onvif::ElementText(decoys + "<Model>late</Model>", "Model", capped), "");
  EXPECT_TRUE(capped);  // past the cap
}

TEST(OnvifParser, DeviceInformation) {
  const std::string body =
      "<s:Envelope><s:Body><tds:GetDeviceInformationResponse>"
      "<tds:Manufacturer>ACME</tds:Manufacturer><tds:Model>IPC-X1</tds:Model>"
      "<tds:FirmwareVersion>V5</tds:FirmwareVersion><tds:SerialNumber>S1</tds:SerialNumber>"
      "<tds:HardwareId>H</tds:HardwareId></tds:GetDeviceInformationResponse></s:Body>"
      "</s:Envelope>";
  auto info = onvif::ParseDeviceInformation(Bytes(body));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->manufacturer.view(), "ACME");
  EXPECT_EQ(info->model.view(), "IPC-X1");
  EXPECT_EQ(info->firmware.view(), "V5");
  EXPECT_EQ(info->serial.view(), "S1");
  EXPECT_EQ(info->hardware_id.view(), "H");
  EXPECT_FALSE(onvif::ParseDeviceInformation(Bytes("<Manufacturer>A</Manufacturer>")));
  ForEachPrefix(Bytes(body),
                [](std::span<const uint8_t> p) { (void)onvif::ParseDeviceInformation(p); });
}

TEST(OnvifParser, ProbeMatchScopes) {
  const std::string match =
      "<e:Envelope><e:Body><d:ProbeMatches><d:ProbeMatch>"
      "<d:Scopes>onvif://www.onvif.org/type/video_encoder "
      "onvif://www.onvif.org/hardware/IPC-X1\n onvif://www.onvif.org/name/Berth%203%20cam"
      "</d:Scopes></d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>";
  auto s = onvif::ParseProbeMatch(Bytes(match));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->hardware.view(), "IPC-X1");
  EXPECT_EQ(s->name.view(), "Berth%203%20cam");
  EXPECT_FALSE(s->too_many);
  EXPECT_FALSE(onvif::ParseProbeMatch(Bytes("<d:Probe><d:Scopes>x</d:Scopes></d:Probe>")));
  std::string many = "<ProbeMatches><Scopes>";
  for (size_t i = 0; i <= onvif::kMaxScopes; ++i) many += "a ";
  many += "onvif://www.onvif.org/name/late</Scopes>";
  EXPECT_FALSE(onvif::ParseProbeMatch(Bytes(many)).has_value());
  ForEachPrefix(Bytes(match), [](std::span<const uint8_t> p) { (void)onvif::ParseProbeMatch(p); });
}

TEST(WsDiscovery, ProbeMatchNamesTheSender) {
  testing::StreamHarness h(testing::Registered("ws_discovery"));
  const std::string probe =
      "<?xml version=\"1.0\"?><s:Envelope xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/"
      "discovery\"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
      "</a:Action></s:Header><s:Body><d:Probe/></s:Body></s:Envelope>";
  const std::string match =
      "<?xml version=\"1.0\"?><s:Envelope xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/"
      "discovery\"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/"
      "ProbeMatches</a:Action></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch><d:Scopes>"
      "onvif://www.onvif.org/hardware/IPC-X1 onvif://www.onvif.org/name/Gate</d:Scopes>"
      "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>";
  EXPECT_EQ(onvif::DiscoveryMessage(Bytes(probe)), 1);
  EXPECT_EQ(onvif::DiscoveryMessage(Bytes(match)), 2);
  EXPECT_EQ(h.Protocol(), nullptr);
  h.Request(Bytes(probe), 1);
  h.Response(Bytes(match), 2);
  h.End();
  EXPECT_STREQ(h.Protocol(), "ws_discovery");
  EXPECT_EQ(h.sink.Identity("model"), "IPC-X1");
  EXPECT_EQ(h.sink.Identity("name"), "Gate");
  ASSERT_EQ(h.sink.identities.size(), 1u);
  EXPECT_STREQ(h.sink.identities[0].protocol, "onvif");
  EXPECT_EQ(h.sink.identities[0].ip, h.flow().responder_ip);
  ASSERT_EQ(h.sink.pdus.size(), 2u);
  EXPECT_EQ(h.sink.pdus[1].code, 2u);
  EXPECT_EQ(
      testing::Registered("ws_discovery")
          .probe(flow::Direction::kFromInitiator, Bytes("<s:Envelope>plain SOAP</s:Envelope>")),
      ProbeResult::kNo);
}

}  // namespace
}  // namespace qw::dissect
