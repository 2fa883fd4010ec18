// The gateway's ids (submissions, deliveries, consolidations): unguessable, so an id seen in one
// member's receipt says nothing about others.
#pragma once

#include <string>
#include <string_view>

namespace opcat::store {

// `prefix` + 26 lowercase base32 characters (130 bits from OpenSSL's CSPRNG). Throws StoreError
// when there is no randomness.
std::string new_id(std::string_view prefix);

// "sub_" + 26 characters.
std::string new_submission_id();

}  // namespace opcat::store
