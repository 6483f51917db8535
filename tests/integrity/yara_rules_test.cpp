#include "integrity/yara_rules.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "archive_test_util.h"
#include "integrity/archive_scan.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

std::span<const uint8_t> Bytes(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Compiling the built-in rules once per test binary keeps the tests quick.
const YaraRules& Builtin() {
  static const YaraRules* rules = [] {
    auto r = YaraRules::Compile();
    if (!r.ok()) {
      ADD_FAILURE() << r.error().message;
      std::abort();
    }
    return new YaraRules(std::move(r).value());
  }();
  return *rules;
}

// A rule's text with '|' marks in it, which are dropped at run time: the test binary must
// not hold the markers whole, or scanning it (BenignFilesDoNotMatch) would match.
std::string Marker(std::string_view split) {
  std::string s;
  for (char c : split) {
    if (c != '|') s.push_back(c);
  }
  return s;
}

std::vector<std::string> RuleNames(const YaraScan& scan) {
  std::vector<std::string> names;
  for (const YaraMatch& m : scan.matches) names.push_back(m.rule);
  return names;
}

TEST(YaraRules, BuiltinRulesCompileWithoutWarnings) {
  const YaraRules& rules = Builtin();
  EXPECT_TRUE(rules.warnings().empty()) << rules.warnings().front();
  const std::vector<std::string> files = YaraRules::BuiltinRuleFiles();
  EXPECT_EQ(files,
            (std::vector<std::string>{"dual_use_tools.yar", "ics_malware.yar", "test_eicar.yar"}));
}

TEST(YaraRules, EicarMatchesWithItsMeta) {
  auto scan = Builtin().ScanMemory(Bytes(testing::Eicar()), "eicar.com");
  ASSERT_TRUE(scan.ok()) << scan.error().message;
  ASSERT_EQ(scan->matches.size(), 1u);
  const YaraMatch& m = scan->matches[0];
  EXPECT_EQ(m.rule, "EICAR_Test_File");
  EXPECT_EQ(m.rule_namespace, "test_eicar");
  EXPECT_EQ(m.Meta("family"), "eicar");
  EXPECT_EQ(m.Meta("severity"), "high");
  EXPECT_FALSE(m.Meta("description").empty());
  EXPECT_TRUE(m.Meta("absent").empty());

  fs::path d = testing::TempDir("yara-file");
  testing::WriteAll(d / "eicar.com", testing::Eicar() + "\r\n");
  auto file = Builtin().ScanFile((d / "eicar.com").string());
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(RuleNames(*file), std::vector<std::string>{"EICAR_Test_File"});
  testing::WriteAll(d / "empty", "");
  auto empty = Builtin().ScanFile((d / "empty").string());
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->matches.empty());
  auto missing = Builtin().ScanFile((d / "missing").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing: cannot open"), std::string::npos);
  fs::remove_all(d);
}

TEST(YaraRules, EicarInsideAnArchiveMemberIsFound) {
  // The gate's way: walk the archive, YARA-scan each member kept whole.
  auto classifier = FileTypeClassifier::Create();
  ASSERT_TRUE(classifier.ok());
  const std::string zip = testing::BuildArchive(
      "zip", "", {{"docs/readme.txt", "nothing here"}, {"tools/eicar.com", testing::Eicar()}});
  struct Gate : ArchiveVisitor {
    std::vector<std::string> hits;
    VisitAction OnMemberEnd(const ArchiveMember& m, const MemberContent& c) override {
      EXPECT_TRUE(c.kept_whole);
      auto scan = Builtin().ScanMemory(c.kept, MemberDisplayPath(m));
      EXPECT_TRUE(scan.ok());
      for (const YaraMatch& match : scan->matches) hits.push_back(m.path + ":" + match.rule);
      return VisitAction::kContinue;
    }
  } gate;
  ArchiveScanner scanner(*classifier);
  ArchiveScanResult res = scanner.ScanMemory(Bytes(zip), gate);
  ASSERT_FALSE(res.refusal.has_value());
  EXPECT_EQ(gate.hits, std::vector<std::string>{"tools/eicar.com:EICAR_Test_File"});
}

TEST(YaraRules, BenignFilesDoNotMatch) {
  std::vector<std::string> paths = {"/proc/self/exe",  // holds the rules, masked
                                    "/etc/services", "/etc/passwd", "/usr/share/misc/magic.mgc"};
  size_t binaries = 0;
  for (const char* lib : {"libc.so.6", "libcrypto.so.3", "libyara.so.9", "libarchive.so.13",
                          "libmagic.so.1", "libstdc++.so.6"}) {
    paths.push_back(std::string("/usr/lib/x86_64-linux-gnu/") + lib);
  }
  for (const char* dir : {"/usr/bin", "/usr/sbin"}) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      // A scanner on this machine is what the dual-use rules are for.
      if (name.find("nmap") != std::string::npos || name.find("ncat") != std::string::npos ||
          name == "nc" || name.starts_with("nc.") || name.find("netcat") != std::string::npos) {
        continue;
      }
      std::error_code e2;
      if (!it->is_regular_file(e2) || it->file_size(e2) > (64u << 20)) continue;
      paths.push_back(it->path().string());
      ++binaries;
    }
  }
  ASSERT_GT(binaries, 50u);
  std::vector<std::string> false_positives;
  for (const std::string& p : paths) {
    auto scan = Builtin().ScanFile(p);
    if (!scan.ok()) continue;  // unreadable here
    for (const YaraMatch& m : scan->matches) false_positives.push_back(p + ": " + m.rule);
  }
  EXPECT_TRUE(false_positives.empty()) << ::testing::PrintToString(false_positives);
  for (const std::string& text :
       {std::string("Crane 3 maintenance log: PLC firmware updated, OPC UA server restarted.\n"),
        std::string("@echo off\r\necho copying backups\r\nxcopy D:\\backup E:\\ /s\r\n"),
        testing::PeStub(false), testing::PeStub(true)}) {
    auto scan = Builtin().ScanMemory(Bytes(text));
    ASSERT_TRUE(scan.ok());
    EXPECT_TRUE(scan->matches.empty()) << scan->matches[0].rule;
  }
}

// `head` followed by each text after a NUL, in ASCII or (wide) UTF-16LE: a synthetic
// sample holding the strings a rule looks for.
std::string WithTexts(std::string head, const std::vector<std::string>& texts, bool wide = false) {
  for (const std::string& t : texts) {
    head.push_back('\0');
    for (char c : t) {
      head.push_back(c);
      if (wide) head.push_back('\0');
    }
  }
  return head;
}

TEST(YaraRules, ToolsAreFoundByTheirMarkers) {
  // Synthetic samples: an executable header and the text a rule wants, nothing real.
  auto pe_with = [](const std::vector<std::string>& texts, bool wide = false) {
    return WithTexts(testing::PeStub(false), texts, wide);
  };
  struct Case {
    std::string bytes;
    std::string rule;
  };
  const std::vector<Case> cases = {
      {pe_with({Marker("s7otb|xsx.dll"), Marker("s7blk_|write"), Marker("s7blk_|read"),
                Marker("s7blk_|findfirst")}),
       "ICS_Stuxnet_Step7_Hook"},
      {pe_with({Marker("has|lo.dat"), Marker("104|.dll"), Marker("618|50.dll")}),
       "ICS_Industroyer_Modules"},
      {pe_with({Marker("PService_|PPD.exe"), Marker("C_SC_|NA_1"), Marker("C_DC_|NA_1")}),
       "ICS_Industroyer2_IEC104"},
      {Marker("import Ts|Hi\nimport Ts|Low\nimport Ts|Base\nopen('inj|ect.bin')\n"),
       "ICS_Triton_TriStation"},
      {pe_with({Marker("PSEXE|SVC"), "\\\\.\\pipe\\"}, true), "DualUse_PsExec_PAExec"},
      {pe_with({"ProductName", Marker("TeamViewer Ger|many GmbH")}, true),
       "DualUse_RemoteSupport_Installer"},
      {pe_with({Marker("sekurlsa::|logonpasswords"), Marker("gentil|kiwi")}), "DualUse_Mimikatz"},
  };
  for (const Case& c : cases) {
    auto scan = Builtin().ScanMemory(Bytes(c.bytes));
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(RuleNames(*scan), std::vector<std::string>{c.rule});
  }
}

// The other built-in rules, each shown to fire on a synthetic sample of what it looks for
// and to stay quiet on a near miss (the header missing, or one marker short).
TEST(YaraRules, EveryOtherBuiltinRuleFiresOnlyOnWhatItDescribes) {
  const std::string pe = testing::PeStub(false);
  const std::string elf = std::string(
                              "\x7f"
                              "ELF\x02\x01\x01",
                              7) +
                          std::string(57, '\0');
  struct Case {
    std::string bytes;
    std::vector<std::string> rules;  // what must match: exactly these
  };
  const std::vector<Case> cases = {
      {WithTexts(pe, {Marker("MSSE-%d-|server"), Marker("beacon.x64|.dll")}),
       {"DualUse_CobaltStrike_Beacon"}},
      {WithTexts(pe, {Marker("Reflective|Loader"), Marker("beacon|.dll")}, true),
       {}},  // loader ascii only
      {WithTexts(pe, {Marker("Reflective|Loader")}) + WithTexts("", {Marker("beacon|.dll")}, true),
       {"DualUse_CobaltStrike_Beacon"}},
      {WithTexts(elf, {Marker("nc -h for| help"), Marker("connect to some|where:")}),
       {"DualUse_Netcat_Ncat"}},
      {WithTexts("", {Marker("nc -h for| help"), Marker("connect to some|where:")}), {}},
      {WithTexts(elf, {Marker("Nmap scan report| for"), Marker("nmap-service|-probes"),
                       Marker("nmap-os|-db")}),
       {"DualUse_Nmap"}},
      {WithTexts(elf, {Marker("Nmap scan report| for"), Marker("nmap-os|-db")}), {}},
      {WithTexts("", {Marker("plc|scan"), Marker("Module |type"), Marker("Mod|bus")}, true),
       {"DualUse_PLC_Scanner"}},
      {WithTexts("", {Marker("plc|scan"), Marker("s|zl|x")}), {}},  // "szl" inside a word
      {WithTexts(pe, {Marker("Kill|Disk"), Marker("\\\\.\\Physical|Drive")}, true),
       {"ICS_BlackEnergy_KillDisk"}},
      {WithTexts("", {Marker("Kill|Disk"), Marker("\\\\.\\Physical|Drive")}), {}},
      {WithTexts(pe, {Marker("IOPCServer|List"), Marker("OPC|Enum"), Marker("results.y|ls")}),
       {"ICS_Havex_OPC_Scanner"}},
      {WithTexts(pe, {Marker("IOPCServer|List"), Marker("OPC|Enum")}), {}},  // no .yls
      {WithTexts("", {Marker("TAG|RUN"), Marker("CODE|CALL")}), {"ICS_Pipedream_Incontroller"}},
      {WithTexts("", {Marker("OM|SHELL"), Marker("code|sys"), Marker("om|ron")}),
       {"ICS_Pipedream_Incontroller"}},
      {WithTexts("", {Marker("OM|SHELL"), Marker("om|ron")}), {}},
      {WithTexts(elf,
                 {Marker("Go build |ID:"), Marker("github.com/rolfl/|modbus"), Marker("Ipl|ist")}),
       {"ICS_FrostyGoop_Modbus_Go"}},
      {WithTexts(elf, {Marker("Go build |ID:"), Marker("Ipl|ist")}), {}},  // not the modbus library
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto scan = Builtin().ScanMemory(Bytes(cases[i].bytes));
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(RuleNames(*scan), cases[i].rules) << "case " << i;
  }
}

TEST(YaraRules, ExtraRuleFilesAndDirectories) {
  fs::path d = testing::TempDir("yara-extra");
  fs::create_directories(d / "site");
  testing::WriteAll(d / "site" / "a.yar",
                    "rule Site_Marker { meta: severity = \"low\" score = 7 strong = true\n"
                    "  strings: $a = \"CRANE-SITE-MARKER\" condition: $a }\n");
  testing::WriteAll(d / "site" / "b.yara",
                    "rule Site_Marker : tagged { strings: $a = \"CRANE-SITE-MARKER\" "
                    "condition: $a }\n");
  testing::WriteAll(d / "site" / "notes.txt", "not a rule file");
  auto rules = YaraRules::Compile({(d / "site").string()}, /*builtin=*/false);
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  auto scan = rules->ScanMemory(Bytes(std::string("xx CRANE-SITE-MARKER xx")));
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->matches.size(), 2u);
  EXPECT_EQ(scan->matches[0].rule_namespace, "a.yar");
  EXPECT_EQ(scan->matches[0].Meta("score"), "7");
  EXPECT_EQ(scan->matches[0].Meta("strong"), "true");
  EXPECT_EQ(scan->matches[1].rule_namespace, "b.yara");
  EXPECT_EQ(scan->matches[1].tags, std::vector<std::string>{"tagged"});
  // The built-in rules too, beside the site's.
  auto both = YaraRules::Compile({(d / "site" / "a.yar").string()});
  ASSERT_TRUE(both.ok()) << both.error().message;
  auto site = both->ScanMemory(Bytes("CRANE-SITE-MARKER " + testing::Eicar()));
  ASSERT_TRUE(site.ok());
  EXPECT_EQ(RuleNames(*site), std::vector<std::string>{"Site_Marker"});  // EICAR counts at 0 only
  auto eicar = both->ScanMemory(Bytes(testing::Eicar()));
  ASSERT_TRUE(eicar.ok());
  EXPECT_EQ(RuleNames(*eicar), std::vector<std::string>{"EICAR_Test_File"});
  fs::remove_all(d);
}

TEST(YaraRules, ABadRuleFileIsNamedWithItsLine) {
  fs::path d = testing::TempDir("yara-bad");
  testing::WriteAll(d / "broken.yar",
                    "rule Fine { condition: true }\n"
                    "\n"
                    "rule Broken { strings: $a = \"x\" condition: $a and }\n");
  auto rules = YaraRules::Compile({(d / "broken.yar").string()});
  ASSERT_FALSE(rules.ok());
  const std::string& m = rules.error().message;
  EXPECT_NE(m.find((d / "broken.yar").string() + ":3:"), std::string::npos) << m;
  auto missing = YaraRules::Compile({(d / "absent.yar").string()});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("absent.yar: cannot open"), std::string::npos);
  fs::remove_all(d);
}

}  // namespace
}  // namespace qw::integrity
