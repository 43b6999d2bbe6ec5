// Test support: temporary directories and running the real binaries as a user would.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace amana::testing {

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

}  // namespace amana::testing
