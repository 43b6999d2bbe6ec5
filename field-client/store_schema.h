// The local store's schema, as numbered migrations (never edit a released step; add one).
#pragma once

#include <span>

#include "common/sqlite.h"

namespace amana::field {

std::span<const sql::Migration> store_migrations();

}  // namespace amana::field
