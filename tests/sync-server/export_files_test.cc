// Where exports, reports and bundles land, through the real sync-server binary: never
// through a planted link, never in the data directory, never over a file without --force,
// readable by their owner only, and no part of them in the system's temporary directory.
#include <doctest/doctest.h>

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support.h"

using namespace amana::testing;
namespace fs = std::filesystem;

namespace {

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::set<std::string> files_in(const fs::path& where) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(where)) names.insert(entry.path().filename().string());
  return names;
}

// A server with one case and its steps, synced, and an officer to ask for identified data.
struct ServerWithACase {
  ServerWithACase() {
    REQUIRE(server.admin({"users", "add", "omar", "--role", "officer", "--team", "um-dukhun"}).exit_code == 0);
    enroll(server, device, "amina");
    device.collect("pdm-survey");
    open_example_case(device, {"register"});
  }
  ServerUnderTest server;
  FieldDevice device{"amina", 0};
  TempDir out;
};

}  // namespace

TEST_CASE("export files: a link planted at the temporary name is not followed, and nothing is written through it") {
  ServerWithACase s;
  const fs::path victim = s.out.path() / "victim.txt";
  write_file(victim, "someone else's file\n");
  const fs::path target = s.out.path() / "cases.csv";
  fs::create_symlink(victim, target.string() + ".partial");
  const auto refused = s.server.admin({"export", "--cases", "--identified", "--by", "omar", "--out", target.string()});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "cases.csv.partial is in the way (a symbolic link, not followed)"));
  CHECK(read_file(victim) == "someone else's file\n");
  CHECK_FALSE(fs::exists(target));

  // A leftover temporary of our own (an interrupted export) is simply written over.
  fs::remove(target.string() + ".partial");
  write_file(target.string() + ".partial", "half an export");
  const auto written = s.server.admin({"export", "--cases", "--out", target.string()});
  REQUIRE_MESSAGE(written.exit_code == 0, written.err);
  CHECK(files_in(s.out.path()) == std::set<std::string>{"victim.txt", "cases.csv", "cases.csv.codebook.csv"});
}

TEST_CASE("export files: nothing is written into the data directory, nor over an existing file without --force") {
  ServerWithACase s;
  const fs::path data = s.server.data_dir();
  const auto records = s.server.status()["records"];
  fs::create_directory_symlink(data, s.out.path() / "looks-harmless");
  for (const fs::path& target : {data / "central.db", data / "export.csv", data / "sub" / ".." / "x.csv",
                                 s.out.path() / "looks-harmless" / "x.csv", data}) {
    CAPTURE(target);
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"export", "--cases", "--out", target.string()},
          {"export", "--form", "pdm-survey", "--format", "xlsx", "--force", "--out", target.string()},
          {"report", "--period", "2026-10", "--force", "--out", target.string()}}) {
      const auto refused = s.server.admin(command);
      CHECK(refused.exit_code != 0);
      CHECK(contains(refused.err, "is inside the server's data directory"));
    }
  }
  const auto device_id = nlohmann::json::parse(s.server.admin({"devices", "--json"}).out)[0]["id"].get<std::string>();
  CHECK(contains(s.server.admin({"bundle", "export", "--device", device_id, (data / "b.amana").string()}).err,
                 "is inside the server's data directory"));
  CHECK(integrity_check(data / "central.db") == "ok");
  CHECK(s.server.status()["records"] == records);  // the store is whole

  // An existing file (or its codebook) is refused, left as it was; --force replaces it.
  const fs::path target = s.out.path() / "pdm.csv";
  write_file(target, "last month's export\n");
  auto refused = s.server.admin({"export", "--form", "pdm-survey", "--out", target.string()});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "pdm.csv already exists: choose another name, or add --force to replace it"));
  CHECK(read_file(target) == "last month's export\n");
  fs::remove(target);
  write_file(target.string() + ".codebook.csv", "a codebook\n");
  refused = s.server.admin({"export", "--form", "pdm-survey", "--out", target.string()});
  CHECK(contains(refused.err, "pdm.csv.codebook.csv already exists"));
  CHECK_FALSE(fs::exists(target));  // checked before anything was written
  REQUIRE(s.server.admin({"export", "--form", "pdm-survey", "--out", target.string(), "--force"}).exit_code == 0);
  CHECK(contains(read_file(target), "record,form_version,collected_on"));
  const fs::path report = s.out.path() / "report.md";
  write_file(report, "kept\n");
  CHECK(s.server.admin({"report", "--period", "2026-10", "--format", "md", "--out", report.string()}).exit_code != 0);
  CHECK(read_file(report) == "kept\n");
  const fs::path bundle = s.out.path() / "ack.amana";
  REQUIRE(s.server.admin({"bundle", "export", "--device", device_id, bundle.string()}).exit_code == 0);
  CHECK(s.server.admin({"bundle", "export", "--device", device_id, bundle.string()}).exit_code != 0);
  CHECK(s.server.admin({"bundle", "export", "--device", device_id, bundle.string(), "--force"}).exit_code == 0);
}

TEST_CASE("export files: identified CSV, JSONL, XLSX and codebooks are 0600, and no part passes through TMPDIR") {
  ServerWithACase s;
  // An empty temporary directory, watched: libxlsxwriter names its parts there by default
  // and unlinks them at once, so only a watch sees them pass.
  TempDir tmp;
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  REQUIRE(watch >= 0);
  REQUIRE(::inotify_add_watch(watch, tmp.path().c_str(), IN_CREATE | IN_MOVED_TO) >= 0);
  std::map<std::string, std::string> env = kPassphrases;
  env["TMPDIR"] = tmp.path().string();
  const ::mode_t umask_before = ::umask(022);  // the usual: files would be 0644 unless made otherwise
  for (const std::string format : {"csv", "jsonl", "xlsx"}) {
    CAPTURE(format);
    const fs::path target = s.out.path() / ("cases." + format);
    const auto written = run_command({kServerBin, "--data", s.server.data_dir().string(), "export", "--cases",
                                      "--identified", "--by", "omar", "--format", format, "--out", target.string()},
                                     env);
    REQUIRE_MESSAGE(written.exit_code == 0, written.err);
    CHECK(contains(written.out, "IDENTIFIED"));
    CHECK(mode_of(target) == 0600);
    CHECK(mode_of(target.string() + ".codebook.csv") == 0600);
  }
  ::umask(umask_before);
  const auto strings = run_command({"/usr/bin/unzip", "-p", (s.out.path() / "cases.xlsx").string(), "xl/worksheets/sheet1.xml"});
  REQUIRE(strings.exit_code == 0);
  CHECK(contains(strings.out, "Salma Test-Child"));  // identified: the workbook is whole
  char events[4096];
  CHECK(::read(watch, events, sizeof events) < 0);  // no file was ever created in TMPDIR
  ::close(watch);
  CHECK(files_in(tmp.path()).empty());
  // Nor is anything left beside the files: the private directory of the parts is gone.
  CHECK(files_in(s.out.path()) ==
        std::set<std::string>{"cases.csv", "cases.csv.codebook.csv", "cases.jsonl", "cases.jsonl.codebook.csv",
                              "cases.xlsx", "cases.xlsx.codebook.csv"});
}
