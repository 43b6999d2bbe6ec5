// The published forms on a device: what the office sent in a pull (protocol version 6),
// checked before it is kept, and the form pack a device collects with.
//
// A version is kept only when its definition is within forms::kMaxPublishedFormBytes, its
// digest is the BLAKE2b-256 of its definition, and its signature is the organisation's
// (the key of this device's enrollment) over sync-server/published_forms.h's message,
// which names the form and the version: a definition signed for one form or version does
// not pass for another, and a relay, a proxy or a tampered server store cannot make a
// device collect with a form the office did not publish. A reply carrying one that fails
// is refused whole (nothing of it is applied), and the device says why.
//
// The pack: the built-in forms, then every kept version over them, each checked again
// when loaded (a row changed on the disk is left out), with the office's archived forms
// no longer offered. A device that has not synced yet collects with the built-in pack.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/form_pack.h"
#include "common/status.h"
#include "field-client/store.h"
#include "proto/sync.pb.h"

namespace amana::field {

// invalid_argument (too large) or corrupt (digest, signature), with a catalogue message.
Status check_form_version(const pb::FormVersion& version, const crypto::PublicKey& org_sign_key);

// Checks every version of `update` (all of them before any is kept), then keeps them and
// the catalogue's archived forms. Returns how many versions were new to this device.
Result<std::size_t> take_published_forms(Store& store, const pb::DeviceUpdate& update,
                                         const crypto::PublicKey& org_sign_key);

// What the device tells the server it holds (PullRequest.forms_held): per form, the
// newest version held, and whether it knows the form archived.
Result<std::vector<pb::FormHeld>> forms_held(Store& store);

// The built-in pack with the verified versions over it, and the archived forms.
forms::FormPack device_form_pack(forms::FormPack builtin, const Store::FormsOnDisk& stored);
// The same read from the device's home, without the passphrase (Store::read_published_forms).
Result<forms::FormPack> device_form_pack(const std::filesystem::path& home);

}  // namespace amana::field
