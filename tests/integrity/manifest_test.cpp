#include "integrity/manifest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/integrity_run.h"
#include "core/digest.h"
#include "integrity/keys.h"
#include "integrity/signed_document.h"
#include "unprivileged.h"

namespace qw::integrity {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A folder per test and process, with a key pair and a small asset: a switch configuration,
// a PLC program export, a drive snapshot and an image.
class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("qw-manifest-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_TRUE(GenerateKeyPair((dir_ / "site").string(), false).ok());
    ASSERT_TRUE(GenerateKeyPair((dir_ / "other").string(), false).ok());
    asset_ = dir_ / "sts-03";
    Write(asset_ / "switch" / "running-config.cfg",
          "hostname sts03-sw1\n!\ninterface Gi0/1\n switchport access vlan 110\n!\nend\n");
    Write(asset_ / "plc" / "sts03.zap17", std::string(5000, '\x07') + "program");
    Write(asset_ / "drives" / "hoist.modbus",
          "# quaywatch modbus snapshot: read-only (function codes 1-4)\ndevice "
          "modbus://10.20.1.31:502/1\nholding 0 = 1500 (0x05dc)\n");
    Write(asset_ / "images" / "hmi.img", std::string(70000, '\0'));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Baseline() {
    auto sk = LoadSecretKey((dir_ / "site.key").string());
    EXPECT_TRUE(sk.ok());
    auto m = BuildManifest("sts-03", {asset_.string()}, "");
    EXPECT_TRUE(m.ok()) << m.error().message;
    std::string path = (dir_ / "manifest.json").string();
    EXPECT_TRUE(WriteManifest(path, *m, *sk).ok());
    return path;
  }
  Manifest Load(const std::string& path) {
    auto pk = LoadPublicKey((dir_ / "site.pub").string());
    EXPECT_TRUE(pk.ok());
    auto m = LoadManifest(path, *pk);
    EXPECT_TRUE(m.ok()) << m.error().message;
    return m.ok() ? *m : Manifest{};
  }

  fs::path dir_, asset_;
};

// A key that cannot be used says why: a folder given as the secret key was blamed on its
// permissions, as the public key on its second line.
TEST_F(ManifestTest, KeyFilesThatCannotBeUsedSayWhy) {
  const std::string folder = (dir_ / "keys").string();
  fs::create_directories(folder);
  fs::permissions(folder, fs::perms::owner_all);
  EXPECT_EQ(LoadSecretKey(folder).error().message, folder + ": not a regular file");
  EXPECT_EQ(LoadPublicKey(folder).error().message, folder + ": not a regular file");
  const std::string missing = (dir_ / "absent.key").string();
  EXPECT_EQ(LoadSecretKey(missing).error().message,
            missing + ": cannot open: No such file or directory");
  const std::string shared = (dir_ / "shared.key").string();
  fs::copy_file(dir_ / "site.key", shared);
  fs::permissions(shared, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_NE(LoadSecretKey(shared).error().message.find("permissions 0640 let others read"),
            std::string::npos);
  const std::string long_pub = (dir_ / "long.pub").string();
  std::ofstream(long_pub) << std::string(1025, 'k');
  EXPECT_EQ(LoadPublicKey(long_pub).error().message,
            long_pub + ": larger than 1 KiB; not a quaywatch key file");
  EXPECT_TRUE(LoadSecretKey((dir_ / "site.key").string()).ok());
}

TEST_F(ManifestTest, RecordsEveryFileWithItsKind) {
  Manifest m = Load(Baseline());
  ASSERT_EQ(m.items.size(), 4u);
  std::map<std::string, std::string> kinds;
  for (const auto& i : m.items) kinds[fs::path(i.path).filename().string()] = i.kind;
  EXPECT_EQ(kinds["running-config.cfg"], "switch-config");
  EXPECT_EQ(kinds["sts03.zap17"], "plc-program");
  EXPECT_EQ(kinds["hoist.modbus"], "drive-settings");
  EXPECT_EQ(kinds["hmi.img"], "os-image");
  for (const auto& i : m.items) {
    EXPECT_EQ(i.asset, "sts-03");
    EXPECT_EQ(i.sha256, std::string(core::Sha256(Read(i.path)).view()));
    EXPECT_FALSE(i.mtime.empty());
    bool text = i.kind == "switch-config" || i.kind == "drive-settings";
    EXPECT_EQ(i.text.has_value(), text) << i.path;
  }
  EXPECT_EQ(m.key_id, LoadPublicKey((dir_ / "site.pub").string())->Id());
}

TEST_F(ManifestTest, TextThatIsNotStrictUtf8IsHashedWithoutItsText) {
  // An encoded surrogate and an overlong NUL: shaped like UTF-8, refused by the signer's
  // strict serialisation. The file is baselined, its content not kept.
  Write(asset_ / "switch" / "odd.cfg", "hostname a\n\xed\xa0\x80 \xc0\x80\n");
  Manifest m = Load(Baseline());
  const ManifestItem* odd = nullptr;
  for (const auto& i : m.items) {
    if (fs::path(i.path).filename() == "odd.cfg") odd = &i;
  }
  ASSERT_NE(odd, nullptr);
  EXPECT_FALSE(odd->text.has_value());
  EXPECT_EQ(odd->sha256, std::string(core::Sha256(Read(odd->path)).view()));
}

TEST_F(ManifestTest, UnchangedFilesVerify) {
  Manifest m = Load(Baseline());
  Verification v = VerifyManifest(m);
  EXPECT_TRUE(v.changes.empty());
  EXPECT_EQ(v.unchanged, 4u);
}

TEST_F(ManifestTest, AddedRemovedChangedAndTruncatedFilesAreReported) {
  Manifest m = Load(Baseline());
  Write(asset_ / "switch" / "running-config.cfg",
        "hostname sts03-sw1\n!\ninterface Gi0/1\n switchport access vlan 999\n!\nend\n");
  fs::remove(asset_ / "drives" / "hoist.modbus");
  Write(asset_ / "plc" / "backdoor.awl", "ORGANIZATION_BLOCK OB 35\n");
  fs::resize_file(asset_ / "images" / "hmi.img", 1000);  // a truncated image
  Verification v = VerifyManifest(m);
  ASSERT_EQ(v.changes.size(), 4u);
  std::map<std::string, const ItemChange*> by_name;
  for (const auto& c : v.changes) by_name[fs::path(c.path).filename().string()] = &c;
  EXPECT_EQ(by_name["running-config.cfg"]->kind, ItemChange::Kind::kChanged);
  EXPECT_NE(by_name["running-config.cfg"]->diff.find("- switchport access vlan 110\n+ switchport "
                                                     "access vlan 999\n"),
            std::string::npos)
      << by_name["running-config.cfg"]->diff;
  EXPECT_EQ(by_name["hoist.modbus"]->kind, ItemChange::Kind::kRemoved);
  EXPECT_EQ(by_name["backdoor.awl"]->kind, ItemChange::Kind::kAdded);
  EXPECT_EQ(by_name["backdoor.awl"]->now->kind, "plc-program");
  EXPECT_EQ(by_name["hmi.img"]->kind, ItemChange::Kind::kChanged);
  EXPECT_EQ(by_name["hmi.img"]->now->size, 1000u);
  EXPECT_TRUE(by_name["hmi.img"]->diff.empty());  // an image gets no text diff
}

// A baseline taken where the asset was mounted then, verified where it is mounted now: the
// changes keep the manifest's paths, and each file is read from its new place.
TEST_F(ManifestTest, AMovedAssetVerifiesWhereItIsNow) {
  Manifest m = Load(Baseline());
  const fs::path mounted = dir_ / "mnt" / "backup";
  fs::create_directories(mounted.parent_path());
  fs::rename(asset_, mounted);
  Verification lost = VerifyManifest(m);
  EXPECT_EQ(lost.changes.size(), 4u);
  for (const auto& c : lost.changes) EXPECT_EQ(c.kind, ItemChange::Kind::kRemoved) << c.path;

  const std::vector<Relocation> moved = {{asset_.string(), mounted.string()},
                                         {"/nowhere", "/else"}};
  Verification found = VerifyManifest(m, moved);
  EXPECT_TRUE(found.changes.empty());
  EXPECT_EQ(found.unchanged, 4u);

  Write(mounted / "switch" / "running-config.cfg", "hostname other\n");
  Write(mounted / "plc" / "extra.awl", "ORGANIZATION_BLOCK OB 1\n");
  Verification v = VerifyManifest(m, moved);
  ASSERT_EQ(v.changes.size(), 2u);
  EXPECT_EQ(v.changes[0].path, (asset_ / "plc" / "extra.awl").string());
  EXPECT_EQ(v.changes[0].kind, ItemChange::Kind::kAdded);
  ASSERT_TRUE(v.changes[0].now.has_value());
  EXPECT_EQ(v.changes[0].now->path, (mounted / "plc" / "extra.awl").string());
  EXPECT_EQ(v.changes[1].path, (asset_ / "switch" / "running-config.cfg").string());
  EXPECT_EQ(v.changes[1].kind, ItemChange::Kind::kChanged);
  EXPECT_NE(v.changes[1].diff.find("+hostname other"), std::string::npos) << v.changes[1].diff;
}

TEST(Relocations, ParseAbsolutePairsOnly) {
  auto r = ParseRelocation("/media/usb/backup/=/mnt/backup");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->from, "/media/usb/backup");
  EXPECT_EQ(r->to, "/mnt/backup");
  r = ParseRelocation("/=/srv/copy/");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->from, "/");
  EXPECT_EQ(r->to, "/srv/copy");
  for (const char* bad : {"", "/a", "=/b", "/a=", "a=/b", "/a=b", "/a/b"}) {
    EXPECT_FALSE(ParseRelocation(bad).has_value()) << bad;
  }
}

TEST_F(ManifestTest, FileReplacedByAFolderIsUnreadableNotUnchanged) {
  Manifest m = Load(Baseline());
  fs::remove(asset_ / "plc" / "sts03.zap17");
  fs::create_directories(asset_ / "plc" / "sts03.zap17");
  Write(asset_ / "plc" / "sts03.zap17" / "inner", "x");
  Verification v = VerifyManifest(m);
  bool removed = false;
  for (const auto& c : v.changes) {
    if (fs::path(c.path).filename() == "sts03.zap17")
      removed = c.kind == ItemChange::Kind::kRemoved;
  }
  EXPECT_TRUE(removed);
}

// A root that cannot be read accounts for the missing items under it, and only for those:
// a sibling whose name merely starts the same ("a" and "ab") keeps its own verdict. Run
// without root, which reads any folder.
TEST_F(ManifestTest, AnUnreadableRootAccountsOnlyForItsOwnItems) {
  const fs::path a = dir_ / "a", ab = dir_ / "ab";
  Write(a / "g", "g");
  fs::create_directories(ab);
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  Manifest m;
  m.asset = "sts-03";
  m.roots = {a.string(), ab.string()};
  ManifestItem under_a, under_ab;
  under_a.path = (a / "g").string();
  under_ab.path = (ab / "f").string();  // gone
  m.items = {under_a, under_ab};
  fs::permissions(a, fs::perms::none);
  // 0: as expected; else which expectation failed.
  const int outcome = test::RunUnprivileged([&] {
    Verification v = VerifyManifest(m);
    if (v.changes.size() != 2) return 1;
    for (const auto& c : v.changes) {
      if (c.path == under_a.path) {
        if (c.kind != ItemChange::Kind::kUnreadable || c.note.empty()) return 2;
      } else if (c.path != under_ab.path || c.kind != ItemChange::Kind::kRemoved) {
        return 3;
      }
    }
    return 0;
  });
  fs::permissions(a, fs::perms::owner_all);
  EXPECT_EQ(outcome, 0) << "1: not two changes; 2: the item under the unreadable root is not "
                           "unreadable with a note; 3: the sibling's missing item is not removed";
}

TEST_F(ManifestTest, EditedManifestIsRefused) {
  std::string path = Baseline();
  auto pk = LoadPublicKey((dir_ / "site.pub").string());
  // Swap one item's hash for that of the changed file, as someone hiding a change would.
  std::string text = Read(path);
  auto doc = nlohmann::json::parse(text);
  doc["items"][0]["sha256"] = std::string(64, 'a');
  Write(path, doc.dump(2));
  auto m = LoadManifest(path, *pk);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("signature does not match"), std::string::npos);
  // Dropping an item is an edit too.
  doc = nlohmann::json::parse(text);
  doc["items"].erase(0);
  Write(path, doc.dump(2));
  EXPECT_FALSE(LoadManifest(path, *pk).ok());
  // And so is removing the signature.
  doc = nlohmann::json::parse(text);
  doc.erase("signature");
  Write(path, doc.dump(2));
  auto unsigned_m = LoadManifest(path, *pk);
  ASSERT_FALSE(unsigned_m.ok());
  EXPECT_NE(unsigned_m.error().message.find("not signed"), std::string::npos);
  // Reformatting alone changes nothing signed.
  Write(path, nlohmann::json::parse(text).dump());
  EXPECT_TRUE(LoadManifest(path, *pk).ok());
}

TEST_F(ManifestTest, ManifestSignedByAnotherKeyIsRefused) {
  std::string path = Baseline();
  auto other = LoadPublicKey((dir_ / "other.pub").string());
  auto m = LoadManifest(path, *other);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("not by the trusted key"), std::string::npos);
  // A forger re-signing with their own key, naming ours: the key id lies, the signature fails.
  auto doc = nlohmann::json::parse(Read(path));
  doc["items"][0]["sha256"] = std::string(64, 'b');
  auto forger = LoadSecretKey((dir_ / "other.key").string());
  SignDocument(doc, *forger);
  doc["signature"]["key_id"] = LoadPublicKey((dir_ / "site.pub").string())->Id();
  Write(path, doc.dump());
  auto forged = LoadManifest(path, *LoadPublicKey((dir_ / "site.pub").string()));
  ASSERT_FALSE(forged.ok());
  EXPECT_NE(forged.error().message.find("signature does not match"), std::string::npos);
}

TEST_F(ManifestTest, TruncatedManifestIsRefusedWithItsPlace) {
  std::string path = Baseline();
  std::string text = Read(path);
  Write(path, text.substr(0, text.size() / 2));
  auto m = LoadManifest(path, *LoadPublicKey((dir_ / "site.pub").string()));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("not valid JSON"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find(path), std::string::npos);
}

TEST_F(ManifestTest, SymbolicLinksAreRecordedNotFollowed) {
  fs::create_symlink("/etc/passwd", asset_ / "switch" / "link");
  Manifest m = Load(Baseline());
  const ManifestItem* link = nullptr;
  for (const auto& i : m.items) {
    if (fs::path(i.path).filename() == "link") link = &i;
  }
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->kind, "symlink");
  EXPECT_EQ(link->link, "/etc/passwd");
  fs::remove(asset_ / "switch" / "link");
  fs::create_symlink("/etc/shadow", asset_ / "switch" / "link");
  Verification v = VerifyManifest(m);
  ASSERT_EQ(v.changes.size(), 1u);
  EXPECT_EQ(v.changes[0].kind, ItemChange::Kind::kChanged);
}

TEST_F(ManifestTest, CommandsExitCodes) {
  std::string pub = (dir_ / "site.pub").string();
  app::BaselineOptions o;
  o.asset = "sts-03";
  o.paths = {asset_.string()};
  o.secret_key = (dir_ / "site.key").string();
  o.output = (dir_ / "cli.json").string();
  ASSERT_EQ(app::RunIntegrityBaseline(o), 0);
  std::string json = (dir_ / "verify.json").string();
  EXPECT_EQ(app::RunIntegrityVerify(o.output, pub, json), 0);
  Write(asset_ / "plc" / "sts03.zap17", "other program");
  EXPECT_EQ(app::RunIntegrityVerify(o.output, pub, json), 1);
  auto result = nlohmann::json::parse(Read(json));
  ASSERT_EQ(result["changes"].size(), 1u);
  EXPECT_EQ(result["changes"][0]["change"], "changed");
  EXPECT_EQ(app::RunIntegrityVerify(o.output, (dir_ / "other.pub").string(), ""), 2);
  EXPECT_EQ(app::RunIntegrityVerify((dir_ / "missing.json").string(), pub, ""), 2);
  EXPECT_EQ(app::RunIntegrityVerify(o.output, pub, "", {"relative=/mnt"}), 2);
  EXPECT_EQ(app::RunIntegrityVerify(o.output, pub, "", {"/nowhere=/else"}), 1);
  // A secret key others may read is refused before anything is signed with it.
  ::chmod((dir_ / "site.key").c_str(), 0644);
  o.output = (dir_ / "cli2.json").string();
  EXPECT_EQ(app::RunIntegrityBaseline(o), 2);
  EXPECT_FALSE(fs::exists(o.output));
}

TEST(Keys, KeygenNeverReplacesAKeyAndWritesTheSecretPrivately) {
  fs::path dir = fs::temp_directory_path() / ("qw-keys-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string prefix = (dir / "k").string();
  ::umask(0);  // the most permissive umask must not loosen the secret key
  auto pk = GenerateKeyPair(prefix, false);
  ::umask(022);
  ASSERT_TRUE(pk.ok());
  struct stat st {};
  ASSERT_EQ(::stat((prefix + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = GenerateKeyPair(prefix, false);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("exists"), std::string::npos);
  auto sk = LoadSecretKey(prefix + ".key");
  ASSERT_TRUE(sk.ok());
  EXPECT_EQ(sk->Public().Id(), pk->Id());
  // The secret never appears in what keygen prints or in the public file.
  std::string secret_line;
  {
    std::ifstream in(prefix + ".key");
    std::getline(in, secret_line);
    std::getline(in, secret_line);
    std::getline(in, secret_line);
  }
  EXPECT_EQ(Read(prefix + ".pub").find(secret_line), std::string::npos);
  // A corrupted key file is refused with the line.
  Write(prefix + ".pub", "quaywatch-ed25519-public-key v1\nkey-id: 0000000000000000\nAAAA\n");
  auto bad = LoadPublicKey(prefix + ".pub");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(":3:"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Kinds, ToldFromNameAndContent) {
  EXPECT_EQ(DetectKind("/x/OB1.mc7", ""), "plc-block");
  EXPECT_EQ(DetectKind("/x/project.ACD", ""), "plc-program");
  EXPECT_EQ(DetectKind("/x/vfd.par", ""), "drive-settings");
  EXPECT_EQ(DetectKind("/x/fw.conf", "config firewall policy\n edit 1\n"), "firewall-config");
  EXPECT_EQ(DetectKind("/x/iptables", "# Generated\n*filter\n:INPUT DROP\n"), "firewall-config");
  EXPECT_EQ(DetectKind("/x/sw.txt", "!\nhostname core\n"), "switch-config");
  std::string iso(40000, '\0');
  iso.replace(32769, 5, "CD001");
  EXPECT_EQ(DetectKind("/x/disk", iso), "os-image");
  EXPECT_EQ(DetectKind("/x/notes.txt", "hello"), "other");
}

}  // namespace
}  // namespace qw::integrity
