// `sync-server forms ...`: publish an XLSForm, list, show and archive published forms, try a
// draft with example answers, and publish the built-in versions a newer binary brings (sync-server/published_forms.h does the work).
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace amana::server {

class FormsCommands {
 public:
  // Adds the `forms` group to `app`. `data` is the --data option main() parses.
  FormsCommands(CLI::App& app, const std::optional<std::string>& data);

  bool selected() const { return forms_->parsed(); }
  // Runs the chosen command and returns the exit code, having printed any error in the
  // chosen --lang.
  int run() const;

 private:
  const std::optional<std::string>& data_;
  CLI::App* forms_;
  CLI::App *publish_, *list_, *show_, *archive_, *try_, *update_builtin_;
  std::string file_, form_, answers_, lang_ = "en";
  std::optional<std::uint32_t> version_;
  bool draft_ = false;
  bool json_ = false;
};

}  // namespace amana::server
