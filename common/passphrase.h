// Where a passphrase comes from: an environment variable (scripts and tests;
// AMANA_PASSPHRASE for the field store, AMANA_SERVER_PASSPHRASE for the server's keys),
// else a prompt on the terminal with echo off. Never from a command-line argument, which other
// users of the machine can read in the process list.
#pragma once

#include <string_view>

#include "common/crypto.h"
#include "common/status.h"

namespace amana {

inline constexpr const char* kPassphraseVariable = "AMANA_PASSPHRASE";
inline constexpr const char* kServerPassphraseVariable = "AMANA_SERVER_PASSPHRASE";
inline constexpr const char* kDuressPassphraseVariable = "AMANA_DURESS_PASSPHRASE";
inline constexpr std::size_t kMinPassphraseLength = 8;
inline constexpr std::size_t kMaxPassphraseLength = 1024;

// Reads the passphrase to unlock a store, prompting in `language`. invalid_argument when
// there is neither the variable nor a terminal to ask on.
Result<crypto::SecretBytes> read_passphrase(const char* variable = kPassphraseVariable,
                                            Language language = Language::en);

// Reads a new passphrase: asked twice on a terminal (they must match), and at least
// kMinPassphraseLength characters either way.
Result<crypto::SecretBytes> read_new_passphrase(const char* variable = kPassphraseVariable,
                                                Language language = Language::en);

}  // namespace amana
