// bind(): how a mapping names a column (exactly, ignoring case and spacing, or by prefix for
// rolling year-suffixed columns) and what it is told when the column is not there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "adapters/readers/csv/csv_reader.hpp"
#include "csv_testing.hpp"

namespace opcat::adapters::testing {
namespace {
using ::testing::HasSubstr;

FieldPath path(std::string name, FieldPath::Match match = FieldPath::Match::exact) {
  FieldPath result;
  result.path = std::move(name);
  result.match = match;
  return result;
}

std::string bind_error(Reader& reader, const FieldPath& field) {
  try {
    reader.bind(field);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected std::invalid_argument for " << field.path;
  return {};
}

class CsvColumns : public ::testing::Test {
 protected:
  CsvColumns()
      : source_(
            "CSNumber,Visit   DATE,Complaints_upheld_2324,Complaints_upheld_2425,"
            "Enforcements_issued_2425\n"
            "CS1,01/03/2025,3,4,0\n"),
        reader_(open(source_)) {}

  std::string value_at(Selector selector) {
    auto row = reader_->next();
    EXPECT_NE(row, nullptr);
    return row ? std::string(row->value(selector).value_or("<absent>")) : "";
  }

  StringSource source_;
  std::unique_ptr<Reader> reader_;
};

TEST_F(CsvColumns, ExactMatchesTheNameAsWritten) {
  const Selector selector = reader_->bind(path("Visit   DATE"));
  EXPECT_EQ(reader_->source_field(selector), "Visit   DATE");
  EXPECT_EQ(value_at(selector), "01/03/2025");
  EXPECT_THAT(bind_error(*reader_, path("visit date")), HasSubstr("no column \"visit date\""));
}

TEST_F(CsvColumns, InsensitiveIgnoresCaseAndSpacing) {
  const Selector selector = reader_->bind(path("  visit Date ", FieldPath::Match::insensitive));
  EXPECT_EQ(reader_->source_field(selector), "Visit   DATE");  // the member's own name
  EXPECT_EQ(value_at(selector), "01/03/2025");
  EXPECT_THAT(bind_error(*reader_, path("visitdate", FieldPath::Match::insensitive)),
              HasSubstr("no column \"visitdate\""));
}

TEST_F(CsvColumns, PrefixTakesTheFirstColumnStartingWithIt) {
  const Selector selector = reader_->bind(path("complaints_UPHELD", FieldPath::Match::prefix));
  EXPECT_EQ(reader_->source_field(selector), "Complaints_upheld_2324");
  EXPECT_EQ(
      reader_->source_field(reader_->bind(path("Enforcements_issued_", FieldPath::Match::prefix))),
      "Enforcements_issued_2425");
  EXPECT_EQ(value_at(selector), "3");
}

TEST_F(CsvColumns, PrefixMatchesTheStartOnly) {
  EXPECT_THAT(bind_error(*reader_, path("upheld", FieldPath::Match::prefix)),
              HasSubstr("no column \"upheld\""));
}

TEST_F(CsvColumns, AnEmptyNameMatchesNothing) {
  for (auto match :
       {FieldPath::Match::exact, FieldPath::Match::insensitive, FieldPath::Match::prefix}) {
    EXPECT_THAT(bind_error(*reader_, path("  ", match)), HasSubstr("no column"));
  }
}

TEST_F(CsvColumns, AnUnknownColumnIsNamedWithTheHeader) {
  EXPECT_EQ(bind_error(*reader_, path("Town")),
            "no column \"Town\" in the header (columns: CSNumber, Visit   DATE, "
            "Complaints_upheld_2324, Complaints_upheld_2425, Enforcements_issued_2425)");
}

TEST_F(CsvColumns, BindingTwiceGivesTheSameSelector) {
  EXPECT_EQ(reader_->bind(path("CSNumber")),
            reader_->bind(path("csnumber", FieldPath::Match::insensitive)));
}

TEST(CsvWideHeader, TheColumnListIsCut) {
  std::string header;
  for (int i = 0; i < 60; ++i) header += (i ? "," : "") + ("C" + std::to_string(i));
  StringSource source(header + "\n");
  auto reader = open(source);
  const std::string message = bind_error(*reader, path("Town"));
  EXPECT_THAT(message, HasSubstr("C48, C49 and 10 more)"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("C50")));
}

}  // namespace
}  // namespace opcat::adapters::testing
