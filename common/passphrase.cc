#include "common/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "common/message_catalogue.h"

namespace amana {
namespace {

using crypto::SecretBytes;

// Reads one line from the controlling terminal with echo off, into guarded memory.
Result<SecretBytes> prompt_on_terminal(const std::string& prompt, const char* variable) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return invalid_argument(Message("passphrase.no_terminal", {{"variable", variable}}));
  termios saved{};
  const bool is_terminal = ::tcgetattr(fd, &saved) == 0;
  if (is_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  [[maybe_unused]] auto w1 = ::write(fd, prompt.data(), prompt.size());
  SecretBytes buffer(kMaxPassphraseLength + 1);
  std::size_t length = 0;
  char c = 0;
  bool too_long = false;
  while (::read(fd, &c, 1) == 1 && c != '\n') {
    if (length < kMaxPassphraseLength) buffer.data()[length++] = static_cast<std::uint8_t>(c);
    else too_long = true;
  }
  if (is_terminal) ::tcsetattr(fd, TCSAFLUSH, &saved);
  [[maybe_unused]] auto w2 = ::write(fd, "\n", 1);
  ::close(fd);
  if (too_long) return invalid_argument(Message("passphrase.too_long"));
  return SecretBytes::copy_of({buffer.data(), length});
}

}  // namespace

Result<SecretBytes> read_passphrase(const char* variable, Language language) {
  if (const char* value = std::getenv(variable)) {
    return SecretBytes::copy_of(crypto::as_bytes(value));
  }
  return prompt_on_terminal(Message("passphrase.prompt").in(language), variable);
}

Result<SecretBytes> read_new_passphrase(const char* variable, Language language) {
  SecretBytes passphrase;
  if (const char* value = std::getenv(variable)) {
    passphrase = SecretBytes::copy_of(crypto::as_bytes(value));
  } else {
    AMANA_ASSIGN_OR_RETURN(passphrase, prompt_on_terminal(Message("passphrase.new").in(language), variable));
    AMANA_ASSIGN_OR_RETURN(SecretBytes again, prompt_on_terminal(Message("passphrase.repeat").in(language), variable));
    if (!crypto::constant_time_equal(passphrase.view(), again.view())) {
      return invalid_argument(Message("passphrase.differ"));
    }
  }
  if (passphrase.size() < kMinPassphraseLength) {
    return invalid_argument(
        Message("passphrase.too_short", {{"minimum", static_cast<std::int64_t>(kMinPassphraseLength)}}));
  }
  return passphrase;
}

}  // namespace amana
