#include "tests/support.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace amana::testing {

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

}  // namespace amana::testing
