#include "report/checklist.h"

#include <fmt/format.h>

#include <array>
#include <set>
#include <string_view>

#include "report/json_fields.h"

namespace qw::report {

namespace {

using Json = nlohmann::json;

// How an item's status is found.
enum class Judge : uint8_t {
  kFindings,  // violated by findings that serve it; else supported where traffic was judged
  kCoverage,  // supported when the capture reached the crane zones
  kAttest,    // nothing on the wire shows it: a person attests
};

struct Item {
  const char* ref;  // suffix of MA-2023-009/
  const char* title;
  const char* guidance;
  Judge judge;
  const char* cfr;  // the 33 CFR 101.650 measure it supports
};

constexpr std::array<Item, 15> kItems = {{
    {"segment-crane-networks", "Segment crane networks",
     "Keep crane networks apart from business networks; allow between them only the services "
     "that are needed.",
     Judge::kFindings, "network segmentation measures"},
    {"no-multi-homed-hosts", "No multi-homed hosts",
     "No host with a foot in two networks, bridging the segmentation.", Judge::kFindings,
     "network segmentation measures"},
    {"separate-vlans", "Separate VLANs",
     "Put control devices, cameras and untrusted suppliers' devices on VLANs of their own.",
     Judge::kFindings, "network segmentation measures"},
    {"crane-management-separation", "Crane management apart from operation",
     "Keep crane management (diagnostics, patching, PLC program changes) apart from crane "
     "operation.",
     Judge::kFindings, "device security measures, paragraph (b)"},
    {"dedicated-remote-access", "Dedicated remote access",
     "Reach the crane network remotely only through a dedicated, controlled path.",
     Judge::kFindings, "account security measures, paragraph (a)"},
    {"secure-file-transfer", "Secure file transfer path",
     "Bring files into the crane network only through a secure transfer path, not removable "
     "media or ad hoc copies.",
     Judge::kFindings, "device security measures, paragraph (b)"},
    {"monitor-crane-network", "Monitor every communication on the crane network",
     "Watch all traffic of the crane network and know every device on it.", Judge::kCoverage,
     "network segmentation measures; device security measures, paragraph (b)"},
    {"plc-integrity", "PLC program integrity",
     "Check the integrity of PLC programs periodically; program changes come only from crane "
     "management.",
     Judge::kFindings, "device security measures, paragraph (b)"},
    {"untrusted-suppliers", "Equipment of untrusted suppliers",
     "Know where equipment made or maintained by foreign state-backed suppliers sits, and keep "
     "it apart.",
     Judge::kFindings, "supply chain measures"},
    {"untrusted-until-validated", "Third-party traffic untrusted until validated",
     "Treat traffic of third parties (suppliers, maintainers, platforms) as untrusted until it "
     "is validated.",
     Judge::kFindings, "supply chain measures"},
    {"know-data-leaving", "Know what data leaves, under which contract",
     "Know which data leaves the site, to whom, and under which agreement.", Judge::kFindings,
     "data security measures"},
    {"offline-backups", "Offline, tested backups",
     "Keep offline backups of OS images, PLC programs, drive and switch settings, and test "
     "restoring them.",
     Judge::kAttest, "resilience measures (backups and recovery)"},
    {"physical-security", "Physical security of crane equipment",
     "Control physical access to crane cabinets, network ports and removable media.",
     Judge::kAttest, "physical security measures"},
    {"spare-hardware", "Spare hardware and supplier continuity",
     "Keep spare hardware and a plan for when a supplier can no longer maintain its "
     "equipment.",
     Judge::kAttest, "resilience measures"},
    {"contract-terms", "Contract terms of suppliers and platforms",
     "Know what each supplier and platform contract lets them collect, reach remotely and "
     "keep.",
     Judge::kAttest, "supply chain measures; data security measures"},
}};

// What the run saw that bears on an item, in words, when nothing violated it.
std::string SeenText(std::string_view ref, const ReportData& d) {
  if (ref == "dedicated-remote-access") {
    return fmt::format("{} remote-access session{} seen, none on a path the policy forbids",
                       d.remote_access.size(), d.remote_access.size() == 1 ? "" : "s");
  }
  if (ref == "secure-file-transfer") {
    return fmt::format("{} file transfer{} seen, none into a crane zone outside the secure path",
                       d.file_transfers.size(), d.file_transfers.size() == 1 ? "" : "s");
  }
  if (ref == "plc-integrity" || ref == "crane-management-separation") {
    size_t acts = 0;
    for (const auto& op : d.operations) {
      const std::string c = op.value("category", "");
      acts += c == "program-change" || c == "firmware" || c == "controller-state";
    }
    std::string blocks =
        d.plc_blocks.empty()
            ? std::string()
            : fmt::format("; {} PLC block transfer{} rebuilt and hashed", d.plc_blocks.size(),
                          d.plc_blocks.size() == 1 ? "" : "s");
    return fmt::format(
        "{} industrial operation group{} seen, {} changing programs, firmware or state, all "
        "from allowed zones{}",
        d.operations.size(), d.operations.size() == 1 ? "" : "s", acts, blocks);
  }
  return fmt::format("{} conversations and {} devices judged against {} zones and {} conduits",
                     d.conversations.size(), d.assets.size() + d.assets_unread, d.zones.size(),
                     d.conduits.size());
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& GuidanceTitles() {
  static const auto titles = [] {
    std::vector<std::pair<std::string, std::string>> t;
    for (const auto& i : kItems) t.emplace_back(std::string("MA-2023-009/") + i.ref, i.title);
    return t;
  }();
  return titles;
}

Json AdvisoryChecklist(const ReportData& d) {
  const bool policy = !d.zones.empty();
  size_t crane_assets = d.unread_crane_assets;
  const std::set<std::string> crane_zones = CraneZones(d.zones);
  for (const auto& a : d.assets) {
    for (const auto& z : a.value("zones", Json::array())) {
      if (z.is_string() && crane_zones.count(z.get<std::string>())) {
        ++crane_assets;
        break;
      }
    }
  }
  Json rows = Json::array();
  for (const auto& item : kItems) {
    const std::string ref = std::string("MA-2023-009/") + item.ref;
    Json row = {{"ref", ref},
                {"title", item.title},
                {"guidance", item.guidance},
                {"observable", item.judge != Judge::kAttest},
                {"cfr", std::string("33 CFR 101.650: ") + item.cfr},
                {"findings", Json::array()}};
    size_t violating = 0;
    for (size_t n = 0; n < d.findings.size(); ++n) {
      const auto& f = d.findings[n];
      bool serves = false;
      for (const auto& a : f.value("advisory", Json::array())) serves |= a == ref;
      if (!serves) continue;
      const std::string severity = f.value("severity", "");
      violating += severity != "info";
      row["findings"].push_back({{"anchor", fmt::format("finding-{}", n + 1)},
                                 {"severity", severity},
                                 {"title", f.value("title", "")}});
    }
    std::string status, text;
    if (item.judge == Judge::kAttest) {
      status = "attest";
      text = "Not observable from traffic: for a person to attest";
    } else if (violating > 0) {
      status = "violated";
      text = fmt::format("{} finding{}", violating, violating == 1 ? "" : "s");
    } else if (item.judge == Judge::kCoverage) {
      if (!policy) {
        status = "not-judged";
        text = "No site policy: the capture cannot be placed in crane zones";
      } else if (crane_assets == 0) {
        status = "not-seen";
        text =
            "The capture holds no device of a crane zone: it does not monitor the crane "
            "network";
      } else {
        status = "supported";
        text = fmt::format("{} devices of crane zones seen and inventoried", crane_assets);
      }
    } else if (!policy) {
      status = "not-judged";
      text = "No site policy given: nothing was judged";
    } else {
      status = "supported";
      text = SeenText(item.ref, d);
      if (!row["findings"].empty()) {
        text += fmt::format(" ({} informational finding{})", row["findings"].size(),
                            row["findings"].size() == 1 ? "" : "s");
      }
    }
    row["status"] = status;
    row["status_text"] = text;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace qw::report
