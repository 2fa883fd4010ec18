#include "gateway/consolidation/payload_schema.hpp"

#include <rapidjson/document.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <stdexcept>

#include "adapters/schema/codelist_provider.hpp"
#include "adapters/schema/json_file.hpp"

namespace opcat::consolidation {
namespace {

constexpr std::string_view kRecordSchemaRef = "record.schema.json";

// consolidated.schema.json refers to record.schema.json (its definitions) and to the code lists,
// which record.schema.json refers to as well: the record schema's own provider serves those.
class Provider final : public rapidjson::IRemoteSchemaDocumentProvider {
 public:
  explicit Provider(const std::filesystem::path& dir)
      : record_raw_(schema::detail::read_json_file(dir / kRecordSchemaRef)),
        codelists_(dir / kRecordSchemaRef, record_raw_),
        record_(record_raw_, &codelists_) {}

  const rapidjson::SchemaDocument* GetRemoteDocument(const char* uri,
                                                     rapidjson::SizeType length) override {
    // RapidJSON 1.1.0 passes one character less than the ref (see CodelistProvider).
    const std::string_view given(uri, length);
    if (given == kRecordSchemaRef ||
        (given.size() + 1 == kRecordSchemaRef.size() && kRecordSchemaRef.starts_with(given))) {
      return &record_;
    }
    return codelists_.GetRemoteDocument(uri, length);
  }

 private:
  rapidjson::Document record_raw_;
  schema::CodelistProvider codelists_;
  rapidjson::SchemaDocument record_;
};

}  // namespace

struct PayloadSchema::Impl {
  explicit Impl(const std::filesystem::path& dir)
      : provider(dir),
        raw(schema::detail::read_json_file(dir / "consolidated.schema.json")),
        document(raw, &provider) {}

  Provider provider;
  rapidjson::Document raw;
  rapidjson::SchemaDocument document;
};

PayloadSchema PayloadSchema::load(const std::filesystem::path& dir) {
  return PayloadSchema(std::make_unique<Impl>(dir));
}

PayloadSchema::PayloadSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PayloadSchema::PayloadSchema(PayloadSchema&&) noexcept = default;
PayloadSchema& PayloadSchema::operator=(PayloadSchema&&) noexcept = default;
PayloadSchema::~PayloadSchema() = default;

std::string PayloadSchema::problem(std::string_view json) const {
  rapidjson::Document payload;
  payload.Parse(json.data(), json.size());
  if (payload.HasParseError()) return "not JSON";
  rapidjson::SchemaValidator validator(impl_->document);
  if (payload.Accept(validator)) return {};
  rapidjson::StringBuffer where;
  validator.GetInvalidDocumentPointer().StringifyUriFragment(where);
  return std::string(where.GetString()) + ": " + validator.GetInvalidSchemaKeyword();
}

}  // namespace opcat::consolidation
