// Test support: temporary directories and running the real binaries as a user would.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/answers.h"
#include "common/crypto.h"

namespace amana::field {
struct StoreOptions;  // field-client/store.h
}

namespace amana::testing {

// Waits (bounded, about ten seconds) for a condition a server reaches on its own thread
// after the client has its answer (a counter, a gauge); whether it was reached is for the
// test to check, never how long it took.
bool eventually(const std::function<bool()>& reached);

// The version of `form_id` in the built-in pack, which a device collecting with it writes;
// 1 for a form that is not built in.
std::uint32_t builtin_form_version(const std::string& form_id);

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` with the current environment plus `env` (an empty value unsets the
// variable), feeding `input` on standard input. No shell is involved.
CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                          const std::string& input = "");

// A long-running process (a sync server) started in the background; killed with SIGKILL
// when destroyed if still running.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // Waits until standard output has a line starting with `prefix` and returns it; throws
  // if the process exits first.
  std::string wait_for_line(const std::string& prefix);
  // Sends the signal and waits for the process; returns its exit code (128 + signal).
  int stop(int signal_number);
  // Waits for the process to end by itself; returns its exit code.
  int wait();
  std::string err() const;

 private:
  TempDir io_;
  int pid_ = -1;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& contents);

bool contains(const std::string& haystack, const std::string& needle);
bool starts_with(const std::string& text, const std::string& prefix);

// --- the real binaries, end to end ---

extern const std::string kServerBin;
extern const std::string kClientBin;
extern const std::string kExamples;  // forms/examples/, with a slash
// The operator's and the devices' passphrases, as scripts pass them.
extern const std::map<std::string, std::string> kPassphrases;

// How a test server serves: plain HTTP (`--plain-http`, although init made a certificate:
// most tests are about sync, not transport) or TLS with the certificate init made.
enum class Transport { plain_http, tls };

// `sync-server serve` on 127.0.0.1 with an ephemeral port, over the data dir `data`;
// sets `url` (http:// or https://) once it listens. `extra` goes after the serve options.
std::unique_ptr<BackgroundProcess> serve(const std::filesystem::path& data, std::string& url,
                                         Transport transport = Transport::plain_http,
                                         const std::vector<std::string>& extra = {});

// A sync server with its own data dir (users amina and hawa, team um-dukhun), serving on
// 127.0.0.1 with an ephemeral port.
class ServerUnderTest {
 public:
  // `data_dir` empty: a fresh temp dir. Otherwise the data dir (e.g. on a small tmpfs).
  explicit ServerUnderTest(std::filesystem::path data_dir = {}, Transport transport = Transport::plain_http);
  // Starts (again) on a new ephemeral port; returns the URL.
  std::string restart();
  CommandResult admin(std::vector<std::string> args) const;
  std::string enrollment_code(const std::string& user) const;
  nlohmann::json status() const;
  const std::string& url() const { return url_; }
  const std::filesystem::path& data_dir() const { return data_; }
  BackgroundProcess& process() { return *process_; }

 private:
  TempDir dir_;
  std::filesystem::path data_;
  std::unique_ptr<BackgroundProcess> process_;
  std::string url_;
  Transport transport_;
};

// Argon2id at its floor, for tests of the libraries: a passphrase's cost is not what they
// check, and the real cost would spend their time deriving keys. The CLI tests keep it.
inline constexpr amana::crypto::KdfParams kCheapKdf{1, 8192};
// Field store options with kCheapKdf and otherwise the defaults.
amana::field::StoreOptions cheap_store_options();

// A field device driven through the field-client binary, in its own home directory.
class FieldDevice {
 public:
  // Created with `field-client init` (the real, slow KDF).
  explicit FieldDevice(const std::string& user);
  // Created through the library with a cheap KDF and `records` PDM surveys already
  // collected, so that a test spends its time syncing, not deriving keys.
  FieldDevice(const std::string& user, int records);
  // `input` is fed on standard input, as a person would type it.
  CommandResult run(std::vector<std::string> args, const std::string& input = "") const;
  // The argv of a field-client command on this device, for a BackgroundProcess.
  std::vector<std::string> command(std::vector<std::string> args) const;
  void collect(const std::string& form) const;
  // Adds PDM surveys through the library, one transaction each as `collect` would.
  void add_surveys(int records) const;
  // Operations in the outbox not yet acknowledged by a server, read through the library.
  std::int64_t pending_operations() const;
  std::filesystem::path home() const { return dir_.path() / "home"; }

 private:
  TempDir dir_;
};

// Enrolls `device` for `user` with a fresh code from `server`; the test stops if it fails.
void enroll(const ServerUnderTest& server, const FieldDevice& device, const std::string& user);

// Opens a case on `device` from the example identification (Amira Test-Person), records
// each of `steps` (register, assess, plan, follow-up, close, ...) with its example answers
// and syncs; returns the case id. The test stops if any of it fails.
std::string open_example_case(const FieldDevice& device, const std::vector<std::string>& steps = {});
// The example answers file of a step verb: "register" -> ".../case-registration.answers.json".
std::string example_answers(const std::string& step);


// A form definition a test wrote, which must load; and one which must not, with its message.
amana::forms::FormDefinition load_form(std::string_view json);
std::string form_load_error(std::string_view json);

// The example PDM survey's answers, validated; each collected survey makes one field
// version per answer.
const amana::forms::Answers& survey_answers();

// `PRAGMA integrity_check` on an SQLite file: "ok" or what it found.
std::string integrity_check(const std::filesystem::path& db);
// The single integer `sql` returns on `db` (opened read-write, existing).
std::int64_t query_int(const std::filesystem::path& db, const std::string& sql);
// The single text value `sql` returns (empty for NULL).
std::string query_text(const std::filesystem::path& db, const std::string& sql);

// Exactly once, straight from central.db's tables: what a server holding these devices'
// `records` surveys, each merged once, must show. Checks with doctest.
void check_central_exactly_once(const std::filesystem::path& central_db, std::int64_t records);

}  // namespace amana::testing
