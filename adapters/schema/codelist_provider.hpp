// Resolves the record schema's "$ref": "codelists/<name>.json" for RapidJSON's schema validator.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/schema/codelist.hpp"

namespace opcat::schema {

// Reads, once, every code list a schema refers to. Build SchemaDocuments with it, then keep it
// alive as long as they are: they point into the code lists' compiled schemas.
class CodelistProvider final : public rapidjson::IRemoteSchemaDocumentProvider {
 public:
  // `schema` was read from `schema_file`; its remote refs are resolved against that file's folder.
  // Throws std::runtime_error naming the file for a ref that is not "codelists/<name>.json" or a
  // code list that cannot be read.
  CodelistProvider(const std::filesystem::path& schema_file, const rapidjson::Value& schema);

  const rapidjson::SchemaDocument* GetRemoteDocument(const char* uri,
                                                     rapidjson::SizeType length) override;

  // By the "$ref" text ("codelists/place_type.json"); nullptr when the schema has no such ref.
  const Codelist* find(std::string_view ref) const;
  const rapidjson::Value* raw(std::string_view ref) const;

  std::vector<const Codelist*> codelists() const;

 private:
  struct Entry {
    std::string ref;
    Codelist list;
    rapidjson::Document raw;
    std::unique_ptr<rapidjson::SchemaDocument> schema;
  };
  const Entry* entry(std::string_view ref) const;

  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace opcat::schema
