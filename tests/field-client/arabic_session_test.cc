// The field client as a protection assistant in Central Darfur uses it: in Arabic,
// typing Arabic labels and digits, stopping in the middle of a form. Through the real
// binary, with the answers fed on standard input.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/support.h"

extern char** environ;

using namespace amana::testing;

namespace {

std::string record_id_after(const std::string& out, const std::string& marker) {
  const auto at = out.find(marker);
  REQUIRE_MESSAGE(at != std::string::npos, out);
  return out.substr(at + marker.size(), 36);
}

nlohmann::json values_of(const FieldDevice& device, const std::string& id) {
  const auto shown = device.run({"show", id, "--json"});
  REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
  return nlohmann::json::parse(shown.out)["values"];
}

}  // namespace

TEST_CASE("arabic session: Arabic labels, the Arabic comma, Arabic-Indic digits and a day-first date are accepted") {
  FieldDevice device("amina");
  // consent, site, the cash label in Arabic, the date day first in Arabic digits, on
  // time, sufficient, uses 1, 3 and 7 with Arabic commas, the other use, no safety
  // problem, skip, knows how to complain, satisfaction in Arabic digits, no comment.
  const std::string typed = "نعم\nكاس\nنقد\n٢٠/١١/٢٠٢٦\nنعم\nلا\n١، ٣، ٧\nحطب\nلا\n\nنعم\n٤\n\n";
  const auto result = device.run({"collect", "pdm-survey", "--lang", "ar"}, typed);
  REQUIRE_MESSAGE(result.exit_code == 0, result.err, result.out);
  CHECK(contains(result.out, "(تاريخ: 2026-11-20، أو اليوم أولًا 20/11/2026)"));
  const auto values = values_of(device, record_id_after(result.out, "حُفظ السجل "));
  CHECK(values["assistance_type"] == "cash");
  CHECK(values["received_date"] == "2026-11-20");
  CHECK(values["use"] == "food health other");
  CHECK(values["satisfaction"] == "4");
}

TEST_CASE("arabic session: a phone number in Arabic-Indic digits is stored as digits 0-9") {
  FieldDevice device("amina");
  TempDir dir;
  std::string answers = read_file(kExamples + "outreach-identification.answers.json");
  answers.replace(answers.find("+249 912 345 678"), 16, "+٢٤٩ ٩١٢ ٣٤٥ ٦٧٨");
  write_file(dir.path() / "answers.json", answers);
  const auto collected = device.run({"collect", "outreach-identification", "--answers", (dir.path() / "answers.json").string()});
  REQUIRE_MESSAGE(collected.exit_code == 0, collected.err);
  std::string id = collected.out.substr(0, 36);
  CHECK(values_of(device, id)["phone"] == "+249 912 345 678");
}

TEST_CASE("arabic session: headers, case-step errors and the lifecycle are in Arabic, with --lang anywhere or AMANA_LANG") {
  FieldDevice device("amina");
  device.collect("outreach-identification");
  const auto forms = device.run({"--lang", "ar", "forms"});
  CHECK(contains(forms.out, "الاستمارة"));
  CHECK_FALSE(contains(forms.out, "FORM "));
  const std::string identification =
      nlohmann::json::parse(device.run({"records", "--json"}).out)[0]["id"].get<std::string>();
  const auto opened = device.run({"case", "open", "--from", identification, "--lang", "ar"});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  CHECK(contains(opened.out, "فُتحت الحالة"));
  const std::string kase = record_id_after(opened.out, "فُتحت الحالة ");
  const auto refused = device.run({"case", "assess", kase, "--answers", kExamples + "case-assessment.answers.json", "--lang", "ar"});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "خطأ: لا يمكن تقييم حالة وضعها 'محدَّدة': سجّل الحالة، بموافقة صاحبها، أولًا"));
  // Interactive, the refusal comes before the first question.
  const auto asked = device.run({"case", "plan", kase, "--lang", "ar"}, "anything\n");
  CHECK(asked.exit_code != 0);
  CHECK_FALSE(contains(asked.out, "?"));
  CHECK(contains(asked.err, "لا يمكن وضع خطة حالة"));
  const auto shown = run_command(device.command({"case", "show", kase}),
                                 {{"AMANA_PASSPHRASE", kPassphrases.at("AMANA_PASSPHRASE")}, {"AMANA_LANG", "ar"}});
  CHECK(contains(shown.out, "الخطوات التالية على هذا الجهاز: التسجيل، الإغلاق"));
  const auto listed = run_command(device.command({"cases"}), {{"AMANA_LANG", "ar"}, {"AMANA_PASSPHRASE", ""}});
  CHECK(contains(listed.err, "لا توجد عبارة مرور"));  // the store's unlock speaks Arabic too
  const auto wrong = run_command(device.command({"records", "--lang", "ar"}), {{"AMANA_PASSPHRASE", "not the passphrase"}});
  CHECK(contains(wrong.err, "عبارة المرور خاطئة (المحاولة الفاشلة 1 من 10"));
}

namespace {

// Starts the field client with its standard input on a pipe the test writes to, as a
// person types; returns the pid.
pid_t start_typing(const std::vector<std::string>& argv, int& to_stdin, const std::filesystem::path& out,
                   const std::filesystem::path& err) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  std::vector<std::string> env_strings{"AMANA_PASSPHRASE=" + kPassphrases.at("AMANA_PASSPHRASE")};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("AMANA_", 0) != 0) env_strings.push_back(*e);
  }
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, argp[0], &actions, &attributes, argp.data(), envp.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(fds[0]);
  to_stdin = fds[1];
  return pid;
}

// Waits (boundedly: a start, not a measurement) until `file` holds `text`.
bool wait_for_text(const std::filesystem::path& file, const std::string& text) {
  for (int attempt = 0; attempt < 3000; ++attempt) {
    if (contains(read_file(file), text)) return true;
    usleep(10'000);
  }
  return false;
}

}  // namespace

TEST_CASE("arabic session: Ctrl-C in the middle of a form keeps what was answered, and collect --resume finishes it") {
  FieldDevice device("amina");
  TempDir io;
  int to_stdin = -1;
  const pid_t pid = start_typing(device.command({"collect", "pdm-survey", "--lang", "ar"}), to_stdin, io.path() / "out",
                                 io.path() / "err");
  const std::string first = "نعم\nكاس\n";
  REQUIRE(write(to_stdin, first.data(), first.size()) == static_cast<ssize_t>(first.size()));
  REQUIRE(wait_for_text(io.path() / "out", "ما نوع المساعدة"));  // the third question is on screen
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  close(to_stdin);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  const std::string err = read_file(io.path() / "err");
  CHECK(contains(err, "إجاباتك محفوظة في المسودة"));
  CHECK(contains(device.run({"records"}).out, "No records yet"));

  const auto drafts = device.run({"drafts"});
  REQUIRE(contains(drafts.out, "field-client collect --resume "));
  const std::string draft = drafts.out.substr(drafts.out.find("--resume ") + 9, 8);
  const auto resumed = device.run({"collect", "--resume", draft}, "1\n2026-11-20\nyes\nyes\n1\nno\n\nyes\n5\n\n");
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err, resumed.out);
  CHECK(contains(resumed.out, "Resuming a draft: 2 answers kept"));
  const auto values = values_of(device, record_id_after(resumed.out, "Saved record "));
  CHECK(values["site"] == "كاس");
  CHECK(values["assistance_type"] == "cash");
  CHECK(contains(device.run({"drafts"}).out, "No drafts on this device."));
  // A draft used up cannot be resumed twice.
  CHECK(contains(device.run({"collect", "--resume", draft}).err, "no draft"));
}
