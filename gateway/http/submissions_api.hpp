// The member's submissions: push an export (POST /v1/submissions), then read back its receipt,
// its errors and the list of its own submissions. Every read is scoped to the calling member:
// another member's submission id answers 404, exactly like an id that does not exist.
#pragma once

#include "gateway/http/router.hpp"
#include "gateway/intake/intake.hpp"
#include "gateway/store/store.hpp"

namespace opcat::http {

// Adds to `router`:
//   POST /v1/submissions                    upload: 202 receipt, 200 replay, 409, 415, 422...
//   GET  /v1/submissions?since=&limit=      the caller's submissions, oldest first
//   GET  /v1/submissions/{id}               the receipt (Receipt-Signature header)
//   GET  /v1/submissions/{id}/receipt.p7s   the receipt's detached CMS signature (DER)
//   GET  /v1/submissions/{id}/errors?after=&limit=   its record errors, paged
// `intake` and `store` must outlive the router.
void add_submission_routes(Router& router, intake::Intake& intake, store::Store& store);

// A stored record error as the API gives it: the one RecordError shape, its seq put first.
std::string stored_error_json(const store::StoredRecordError& stored);

// GET .../submissions/{id}/errors?after=&limit= for `member`'s submission {id} (404 if it is
// not theirs): the member's own view here, the operators' in the console API.
Response errors_page(store::Store& store, const Context& context, const std::string& member);

}  // namespace opcat::http
