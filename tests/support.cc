#include "tests/support.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>
#include <sstream>
#include <set>
#include <stdexcept>

#include "common/answers.h"
#include "common/form_pack.h"
#include "common/sqlite.h"
#include "field-client/store.h"

extern char** environ;

namespace amana::testing {

bool eventually(const std::function<bool()>& reached) {
  for (int i = 0; i < 1000; ++i) {
    if (reached()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return reached();
}

std::uint32_t builtin_form_version(const std::string& form_id) {
  static const forms::FormPack pack = [] {
    auto loaded = forms::FormPack::builtin();
    REQUIRE(loaded.ok());
    return std::move(loaded).value();
  }();
  const auto found = pack.find(form_id);
  return found.ok() ? (*found)->version : 1;
}

TempDir::TempDir() {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = std::filesystem::temp_directory_path() / ("amana-test-" + std::to_string(random()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

void write_file(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

namespace {

// Starts argv[0] with the current environment plus `env` (an empty value unsets), with
// its standard streams on the given files, in a new session (no controlling terminal, so
// a passphrase prompt cannot hang a test).
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::filesystem::path& in_path, const std::filesystem::path& out_path,
            const std::filesystem::path& err_path) {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string item = *entry;
    const auto equals = item.find('=');
    if (equals != std::string::npos) environment[item.substr(0, equals)] = item.substr(equals + 1);
  }
  for (const auto& [name, value] : env) {
    if (value.empty()) environment.erase(name);
    else environment[name] = value;
  }
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argp[0], &actions, &attributes, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::string& input) {
  TempDir io;
  const auto in_path = io.path() / "stdin";
  const auto out_path = io.path() / "stdout";
  const auto err_path = io.path() / "stderr";
  write_file(in_path, input);
  const pid_t pid = spawn(argv, env, in_path, out_path, err_path);
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = exit_code_of(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env) {
  write_file(io_.path() / "stdin", "");
  pid_ = spawn(argv, env, io_.path() / "stdin", io_.path() / "stdout", io_.path() / "stderr");
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) stop(SIGKILL);
}

std::string BackgroundProcess::wait_for_line(const std::string& prefix) {
  // Generous: this waits for a process to start, it does not measure anything.
  for (int attempt = 0; attempt < 6000; ++attempt) {
    const std::string out = read_file(io_.path() / "stdout");
    for (std::size_t at = 0; at < out.size();) {
      const auto end = out.find('\n', at);
      if (end == std::string::npos) break;
      const std::string line = out.substr(at, end - at);
      if (line.rfind(prefix, 0) == 0) return line;
      at = end + 1;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("process exited (" + std::to_string(exit_code_of(status)) + ") before printing '" +
                               prefix + "': " + read_file(io_.path() / "stderr"));
    }
    usleep(10'000);
  }
  throw std::runtime_error("no line starting with '" + prefix + "' after 60 s");
}

int BackgroundProcess::stop(int signal_number) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal_number);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return exit_code_of(status);
}

int BackgroundProcess::wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return exit_code_of(status);
}

std::string BackgroundProcess::err() const { return read_file(io_.path() / "stderr"); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

const std::string kServerBin = AMANA_SYNC_SERVER_BIN;
const std::string kClientBin = AMANA_FIELD_CLIENT_BIN;
const std::string kExamples = std::string(AMANA_SOURCE_DIR) + "/forms/examples/";
const std::map<std::string, std::string> kPassphrases = {{"AMANA_SERVER_PASSPHRASE", "operator passphrase for tests"},
                                                         {"AMANA_PASSPHRASE", "device passphrase for tests"}};

ServerUnderTest::ServerUnderTest(std::filesystem::path data_dir, Transport transport)
    : data_(data_dir.empty() ? dir_.path() / "server" : std::move(data_dir)), transport_(transport) {
  REQUIRE_MESSAGE(admin({"init"}).exit_code == 0, "init failed");
  REQUIRE(admin({"users", "add", "amina", "--role", "assistant", "--team", "um-dukhun"}).exit_code == 0);
  REQUIRE(admin({"users", "add", "hawa", "--role", "assistant", "--team", "um-dukhun"}).exit_code == 0);
  restart();
}

std::unique_ptr<BackgroundProcess> serve(const std::filesystem::path& data, std::string& url, Transport transport,
                                         const std::vector<std::string>& extra) {
  std::vector<std::string> argv{kServerBin, "--data", data.string(), "serve", "--listen", "127.0.0.1:0"};
  if (transport == Transport::plain_http) argv.push_back("--plain-http");
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto process = std::make_unique<BackgroundProcess>(argv, kPassphrases);
  const std::string line = process->wait_for_line("listening on ");
  url = (transport == Transport::tls ? "https://" : "http://") + line.substr(std::string("listening on ").size());
  return process;
}

std::string ServerUnderTest::restart() {
  process_.reset();
  process_ = serve(data_, url_, transport_);
  return url_;
}

CommandResult ServerUnderTest::admin(std::vector<std::string> args) const {
  args.insert(args.begin(), {kServerBin, "--data", data_.string()});
  return run_command(args, kPassphrases);
}

std::string ServerUnderTest::enrollment_code(const std::string& user) const {
  const auto issued = admin({"enroll", user});
  REQUIRE_MESSAGE(issued.exit_code == 0, issued.err);
  const auto at = issued.out.find("\n\n  ");
  REQUIRE(at != std::string::npos);
  return issued.out.substr(at + 4, issued.out.find('\n', at + 4) - (at + 4));
}

nlohmann::json ServerUnderTest::status() const {
  const auto result = admin({"status", "--json"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  return nlohmann::json::parse(result.out.substr(0, result.out.find("\n}") + 2));
}

amana::forms::FormDefinition load_form(std::string_view json) {
  auto parsed = amana::forms::parse_form_definition(json);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  return std::move(parsed).value();
}

std::string form_load_error(std::string_view json) {
  auto parsed = amana::forms::parse_form_definition(json);
  REQUIRE_FALSE(parsed.ok());
  return parsed.status().message();
}

const amana::forms::Answers& survey_answers() {
  static const amana::forms::Answers answers = [] {
    auto pack = amana::forms::FormPack::builtin();
    const auto* form = *pack->find("pdm-survey");
    const amana::forms::ValidationOptions options{amana::forms::Language::en, "2026-11-23"};
    auto raw = amana::forms::parse_answers_json(*form, read_file(kExamples + "pdm-survey.answers.json"));
    std::set<std::string, std::less<>> given;
    for (const auto& [name, value] : *raw) given.insert(name);
    return *amana::forms::validate_submission(*form, *raw, given, options);
  }();
  return answers;
}

amana::field::StoreOptions cheap_store_options() {
  amana::field::StoreOptions options;
  options.kdf = kCheapKdf;
  return options;
}

FieldDevice::FieldDevice(const std::string& user) { REQUIRE(run({"init", "--user", user}).exit_code == 0); }

FieldDevice::FieldDevice(const std::string& user, int records) {
  REQUIRE(amana::field::Store::create(home(), kPassphrases.at("AMANA_PASSPHRASE"), user, cheap_store_options()).ok());
  add_surveys(records);
}

CommandResult FieldDevice::run(std::vector<std::string> args, const std::string& input) const {
  return run_command(command(args), kPassphrases, input);
}

void enroll(const ServerUnderTest& server, const FieldDevice& device, const std::string& user) {
  const auto enrolled = device.run({"enroll", server.enrollment_code(user), "--server", server.url()});
  REQUIRE_MESSAGE(enrolled.exit_code == 0, enrolled.err);
}

std::string example_answers(const std::string& step) {
  static const std::map<std::string, std::string> kForms = {
      {"register", "case-registration"}, {"assess", "case-assessment"}, {"plan", "case-plan"},
      {"refer", "referral"},             {"follow-up", "follow-up"},    {"close", "case-closure"}};
  return kExamples + kForms.at(step) + ".answers.json";
}

std::string open_example_case(const FieldDevice& device, const std::vector<std::string>& steps) {
  const auto identification = device.run({"collect", "outreach-identification", "--answers",
                                          kExamples + "outreach-identification.answers.json"});
  REQUIRE_MESSAGE(identification.exit_code == 0, identification.err);
  const auto opened = device.run({"case", "open", "--from", identification.out.substr(0, 36), "--not-a-duplicate"});
  REQUIRE_MESSAGE(opened.exit_code == 0, opened.err);
  const std::string kase = opened.out.substr(opened.out.find("Opened case ") + 12, 36);
  for (const std::string& step : steps) {
    const auto done = device.run({"case", step, kase, "--answers", example_answers(step)});
    REQUIRE_MESSAGE(done.exit_code == 0, step, ": ", done.err);
  }
  const auto synced = device.run({"sync"});
  REQUIRE_MESSAGE(synced.exit_code == 0, synced.err);
  return kase;
}

std::vector<std::string> FieldDevice::command(std::vector<std::string> args) const {
  args.insert(args.begin(), {kClientBin, "--home", home().string()});
  return args;
}

void FieldDevice::collect(const std::string& form) const {
  const auto result = run({"collect", form, "--answers", kExamples + form + ".answers.json"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
}

void FieldDevice::add_surveys(int records) const {
  auto store = amana::field::Store::open(home(), kPassphrases.at("AMANA_PASSPHRASE"));
  REQUIRE(store.ok());
  auto pack = amana::forms::FormPack::builtin();
  const auto* form = *pack->find("pdm-survey");
  for (int i = 0; i < records; ++i) REQUIRE(store->add_record(*form, survey_answers()).ok());
}

std::int64_t FieldDevice::pending_operations() const {
  auto store = amana::field::Store::open(home(), kPassphrases.at("AMANA_PASSPHRASE"));
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  auto status = store->status();
  REQUIRE(status.ok());
  return status->pending_operations;
}

std::string integrity_check(const std::filesystem::path& db) {
  auto opened = amana::sql::Database::open(db, amana::sql::OpenMode::existing);
  if (!opened.ok()) return opened.status().message();
  auto check = (*opened)->query("PRAGMA integrity_check");
  if (!check.ok()) return check.status().message();
  std::string found;
  while (true) {
    auto row = check->step();
    if (!row.ok()) return row.status().message();
    if (!*row) break;
    found += (found.empty() ? "" : "; ") + check->column_text(0);
  }
  return found;
}

namespace {

template <class Read>
auto query_one(const std::filesystem::path& db, const std::string& sql, Read read) {
  auto opened = amana::sql::Database::open(db, amana::sql::OpenMode::existing);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  auto query = (*opened)->query(sql);
  REQUIRE_MESSAGE(query.ok(), query.status().message());
  auto row = query->step();
  REQUIRE_MESSAGE(row.ok(), row.status().message());
  REQUIRE(*row);
  return read(*query);
}

}  // namespace

std::int64_t query_int(const std::filesystem::path& db, const std::string& sql) {
  return query_one(db, sql, [](const amana::sql::Query& q) { return q.column_int64(0); });
}

std::string query_text(const std::filesystem::path& db, const std::string& sql) {
  return query_one(db, sql, [](const amana::sql::Query& q) { return q.column_is_null(0) ? "" : q.column_text(0); });
}

void check_central_exactly_once(const std::filesystem::path& central_db, std::int64_t records) {
  CHECK(integrity_check(central_db) == "ok");
  CHECK(query_int(central_db, "SELECT count(*) FROM records") == records);
  CHECK(query_int(central_db, "SELECT count(*) FROM field_versions") ==
        records * static_cast<std::int64_t>(survey_answers().size()));
  // One operation per survey, each in exactly one merged changeset.
  CHECK(query_int(central_db, "SELECT coalesce(sum(operations), 0) FROM changesets") == records);
  CHECK(query_int(central_db, "SELECT count(*) FROM forks") == 0);
  CHECK(query_int(central_db, "SELECT count(*) FROM conflicts") == 0);
  // Each device's changesets are 1..high_water, none missing.
  CHECK(query_int(central_db,
                  "SELECT count(*) FROM devices d WHERE high_water != "
                  "(SELECT count(*) FROM changesets c WHERE c.device_id = d.id)") == 0);
}

}  // namespace amana::testing
