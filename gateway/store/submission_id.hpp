// Submission ids: unguessable, so an id seen in one member's receipt says nothing about others.
#pragma once

#include <string>

namespace opcat::store {

// "sub_" + 26 lowercase base32 characters (130 bits from OpenSSL's CSPRNG).
std::string new_submission_id();

}  // namespace opcat::store
